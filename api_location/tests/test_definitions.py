"""What the deployment and the UI rely on: names, pools, policies."""

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import dagster as dg
import pytest
from fake_apis import FEED_PATH

from dagster_etl_lake.policies import LOAD_RETRY

DUCKDB_WRITERS = {
    dg.AssetKey("raw_asteroid_data"),
    dg.AssetKey("asteroids_partition"),
    dg.AssetKey(["nasa_neo", "near_earth_objects"]),
    dg.AssetKey(["nasa_neo_daily", "near_earth_objects"]),
}


def test_the_location_loads_with_its_contract_names(defs):
    assert defs.resolve_job_def("asteroid_job")
    assert defs.resolve_schedule_def("date_range_schedule")
    keys = {key for a in defs.resolve_all_asset_specs() for key in [a.key]}
    assert {
        dg.AssetKey("asteroids"),
        dg.AssetKey("asteroids_file"),
        dg.AssetKey("hackernews_source_data"),
        dg.AssetKey("hackernews_wordcloud"),
    } | DUCKDB_WRITERS <= keys
    assert {"nasa", "hackernews", "duckdb", "dlt", "hn_io_manager"} <= set(defs.resources)


def test_only_dlts_merging_writers_take_a_pool_and_every_writer_retries_outside_failures(defs):
    graph = defs.resolve_asset_graph()
    pools = {key.to_user_string(): graph.get(key).pools for key in DUCKDB_WRITERS}
    # The other writers replace whole days: side by side, a conflict is retried in the load.
    assert pools == {
        "raw_asteroid_data": set(),
        "asteroids_partition": set(),
        "nasa_neo/near_earth_objects": {"lake/nasa_neo.near_earth_objects"},
        "nasa_neo_daily/near_earth_objects": {"lake/nasa_neo_daily.near_earth_objects"},
    }
    for key in DUCKDB_WRITERS:
        assert graph.get(key).assets_def.op.retry_policy == LOAD_RETRY, key


def test_an_api_error_fails_a_loading_step_without_a_step_retry(env, apis):
    from api_location.defs.asteroids_partition import asteroids_partition
    from api_location.defs.resources import resources

    result = dg.materialize([asteroids_partition], resources=resources().resources,
                            partition_key="2025-04-02",
                            run_config={"resources": {"nasa": {"config": {"api_key": "not-a-key"}}}},
                            raise_on_error=False)
    assert not result.success
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    assert "HTTP 403" in result.failure_data_for_node("asteroids_partition").error.to_string()


def test_the_word_cloud_retries_and_has_a_freshness_policy():
    from api_location.defs.hackernews import hackernews_wordcloud

    assert hackernews_wordcloud.op.retry_policy == dg.RetryPolicy(max_retries=5, delay=5)
    policy = hackernews_wordcloud.get_asset_spec().freshness_policy
    assert policy.fail_window.to_timedelta() == dt.timedelta(minutes=30)
    assert (
        hackernews_wordcloud.get_io_manager_key_for_asset_key(dg.AssetKey("hackernews_wordcloud"))
        == "hn_io_manager"
    )


def test_the_stand_in_server_runs_standalone_with_the_stdlib_only():
    # -S -I: no site-packages, as the deployment tests run it in a container:
    # python3 fake_apis.py --host 0.0.0.0 --port 8000 --feed-fails-every N
    script = Path(__file__).parent / "fake_apis.py"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-S",
            "-I",
            str(script),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--feed-fails-every",
            "3",
            "--api-key",
            "good-key",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on 127.0.0.1:"), line
        url = f"http://{line.split()[-1]}{FEED_PATH}"

        def feed(start: str, end: str, key: str = "good-key"):
            request = urllib.request.Request(
                f"{url}?start_date={start}&end_date={end}", headers={"X-Api-Key": key}
            )
            try:
                with urllib.request.urlopen(request) as response:
                    return response.status, json.load(response)
            except urllib.error.HTTPError as error:
                return error.code, json.load(error)

        status, body = feed("2025-04-01", "2025-04-02")  # 1st feed request
        assert status == 200
        assert set(body["near_earth_objects"]) == {"2025-04-01", "2025-04-02"}
        assert body["element_count"] == sum(len(v) for v in body["near_earth_objects"].values())
        status, body = feed("2025-04-01", "2025-04-09")  # 2nd: over 7 days
        assert (status, body["http_error"]) == (400, "BAD_REQUEST")
        assert "The Feed date limit is only 7 Days" in body["error_message"]
        assert feed("2025-04-01", "2025-04-01")[0] == 500  # 3rd: --feed-fails-every 3
        status, body = feed("2025-04-01", "2025-04-01", key="bad-key")  # 4th
        assert (status, body["error"]["code"]) == (403, "API_KEY_INVALID")
        with urllib.request.urlopen(f"http://{line.split()[-1]}/v0/topstories.json") as response:
            assert len(json.load(response)) == 40
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0  # SIGTERM stops it at once (docker stop)


def test_every_module_of_defs_is_loaded(defs):
    from api_location import definitions
    from api_location import defs as defs_package

    folder = Path(defs_package.__path__[0])
    files = sorted(path.stem for path in folder.glob("*.py") if path.stem != "__init__")
    modules = definitions.defs_modules()
    assert [module.__name__.rsplit(".", 1)[1] for module in modules] == files
    # What each module declares is in the location.
    graph = defs.resolve_asset_graph()
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, dg.AssetsDefinition):
                assert set(value.keys) <= set(graph.get_all_asset_keys()), module.__name__
            if isinstance(value, dg.SensorDefinition):
                assert defs.resolve_sensor_def(value.name)
            if isinstance(value, dg.ScheduleDefinition):
                assert defs.resolve_schedule_def(value.name)
    assert set(defs.resources) == {"nasa", "hackernews", "duckdb", "dlt", "hn_io_manager"}


# Loads the definitions in a fresh interpreter, as a code server or a run worker does.
LOAD_DEFINITIONS = """
import json, sys
import dagster as dg
from api_location.definitions import defs
d = defs()
graph = d.resolve_asset_graph()
schedule = d.resolve_schedule_def("date_range_schedule")
def label(key):
    return graph.get(dg.AssetKey(key)).automation_condition.get_label()
print(json.dumps({
    # imported by the assets and resources that use them, when they run
    "lazy_imports_loaded": sorted(
        m for m in ("dlt", "dagster_dlt", "requests", "urllib3", "wordcloud") if m in sys.modules
    ),
    "schedule_cron": schedule.cron_schedule,
    "schedule_status": schedule.default_status.value,
    "hackernews": [label("hackernews_source_data"), label("hackernews_wordcloud")],
    "dlt_nasa_partition": label(["nasa_neo_daily", "near_earth_objects"]),
}))
"""
CRON_VARIABLES = ("DATE_RANGE_SCHEDULE_CRON", "HACKERNEWS_REFRESH_CRON", "DLT_NASA_PARTITION_CRON")


def load_definitions_in_a_subprocess(**variables: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in CRON_VARIABLES}
    proc = subprocess.run(
        [sys.executable, "-c", LOAD_DEFINITIONS],
        env={**env, **variables},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_loading_the_definitions_leaves_dlt_unimported_and_uses_the_default_crons():
    loaded = load_definitions_in_a_subprocess(DATE_RANGE_SCHEDULE_CRON="")  # empty: default
    assert loaded == {
        "lazy_imports_loaded": [],
        "schedule_cron": "0 6 * * *",
        "schedule_status": "RUNNING",
        "hackernews": ["on_cron(*/15 * * * *, UTC)"] * 2,
        "dlt_nasa_partition": "on_cron(@daily, UTC)",
    }


def test_crons_come_from_the_environment():
    loaded = load_definitions_in_a_subprocess(
        DATE_RANGE_SCHEDULE_CRON="30 4 * * *",
        HACKERNEWS_REFRESH_CRON="0 * * * *",
        DLT_NASA_PARTITION_CRON="15 2 * * *",
    )
    assert loaded["schedule_cron"] == "30 4 * * *"
    assert loaded["hackernews"] == ["on_cron(0 * * * *, UTC)"] * 2
    assert loaded["dlt_nasa_partition"] == "on_cron(15 2 * * *, UTC)"


def test_a_cron_that_is_not_one_names_its_variable(monkeypatch):
    from api_location import settings

    monkeypatch.setenv("HACKERNEWS_REFRESH_CRON", "every 15 minutes")
    with pytest.raises(
        ValueError, match="HACKERNEWS_REFRESH_CRON='every 15 minutes' is not a cron"
    ):
        settings.cron(settings.HACKERNEWS_REFRESH_CRON)


def test_automation_conditions_are_evaluated_from_the_start(defs):
    """dlt_nasa_partition's cron and the Hacker News refresh fire in a fresh deployment: a
    sensor running by default covers every asset with an automation condition."""
    sensor = defs.resolve_sensor_def("api_automation_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    graph = defs.resolve_asset_graph()
    automated = {key for key in graph.get_all_asset_keys() if graph.get(key).automation_condition}
    assert {
        dg.AssetKey("hackernews_wordcloud"),
        dg.AssetKey(["nasa_neo_daily", "near_earth_objects"]),
    } <= automated
    assert automated <= sensor.asset_selection.resolve(graph)
