"""Every step of the README's walkthrough, exactly as written, against the running stack."""

import json
import time

import pytest
from stack import LOCATIONS, ROOT, lake_query, launch_run, run, run_details, run_events, wait_for_run
from walkthrough import steps

STEPS = steps(ROOT / "README.md")
TIMES = ROOT / "build" / "test-artifacts" / "walkthrough-times.json"
times: dict[str, float] = {}


def test_the_readme_has_a_walkthrough_for_every_location():
    assert {step.location for step in STEPS} == set(LOCATIONS)
    assert len(STEPS) >= 8


@pytest.mark.parametrize("step", STEPS, ids=[s.title for s in STEPS])
def test_walkthrough_step(stack, step):
    start = time.monotonic()
    for partition in step.partitions:
        run_id = launch_run(step.location, step.job, step.run_config, assets=step.assets, partition=partition)
        status = wait_for_run(run_id, timeout=600)
        assert status == "SUCCESS", run_details(run_id)[1][-3000:]
        evaluations = {e["checkName"]: e["success"] for e in run_events(run_id, "AssetCheckEvaluationEvent")}
        for check in step.checks:
            assert evaluations.get(check) is True, (check, evaluations)
    if step.sql:
        assert [list(row) for row in lake_query(step.sql)] == step.rows
    if step.report:
        run(["docker", "run", "--rm", "-v", "dagster_etl_reports:/r:ro", "--entrypoint", "test",
             "dagster_etl/api_location:latest", "-s", f"/r/{step.report}"])
    times[step.title] = round(time.monotonic() - start, 1)
    TIMES.parent.mkdir(parents=True, exist_ok=True)
    TIMES.write_text(json.dumps(times, indent=2))
