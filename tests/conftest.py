"""One deployment for the whole session, started the way a user starts it: the bare compose
command on a checkout with no .env, from no volumes. Modules run in the order a user meets the
stack (MODULE_ORDER); faults come after everything that needs a calm stack, then teardown, then
the upgrade from the previous release, which starts its own stacks."""

import json
import os
import time

import pytest
from stack import (
    FAKE_APIS,
    NASA_TEST_KEY,
    NETWORK,
    ROOT,
    USER_FILE,
    USER_FILE_TEXT,
    compose,
    existing_volumes,
    run,
    test_environment,
    wait_healthy,
)

ARTIFACTS = ROOT / "build" / "test-artifacts"
MODULE_ORDER = (
    "test_start",
    "test_deployment",
    "test_walkthrough",
    "test_schedules",
    "test_browser",
    "test_concurrency",
    "test_backlog",
    "test_faults",
    "test_teardown",
    "test_upgrade",  # its own stack: the release before, then this one on its volumes
)

def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.module.__name__.rsplit(".", 1)[-1]
        return MODULE_ORDER.index(name) if name in MODULE_ORDER else len(MODULE_ORDER)

    items.sort(key=rank)  # stable: file order within a module


def _teardown(env: dict) -> None:
    run(["docker", "rm", "-f", FAKE_APIS], check=False)
    # What `make clean` runs: run containers still in flight are stopped too, so nothing is left.
    run([str(ROOT / "scripts" / "down.sh"), "--volumes", "--timeout", "20"], env=env, check=False)


@pytest.fixture(scope="session")
def stack():
    """The whole deployment, built and started from a clean state, torn down at the end."""
    env = test_environment()
    leftovers = existing_volumes()
    if leftovers and not os.environ.get("DAGSTER_ETL_TEST_RESET"):
        pytest.fail(
            f"a dagster-etl deployment's volumes exist ({', '.join(leftovers)}). The deployment tests start "
            "from a clean state and delete them: run `make clean` first, or set DAGSTER_ETL_TEST_RESET=1."
        )
    _teardown(env)
    # Where no registry is reachable the base image is built locally (what `make up` does too).
    run([str(ROOT / "scripts" / "base-image.sh")])
    compose("build", env=env)

    # The user's own file in the landing volume before the first start.
    run(["docker", "volume", "create", "dagster_etl_landing"])
    # Mounted where the image has the folder, so the new volume gets its owner (dagster), as in the stack.
    run(["docker", "run", "--rm", "-i", "-v", "dagster_etl_landing:/opt/dagster/landing",
         "--entrypoint", "sh", "dagster_etl/files_location:latest",
         "-c", f"cat > /opt/dagster/landing/{USER_FILE}"], input=USER_FILE_TEXT)

    start = time.monotonic()
    compose("up", "-d", env=env)
    env["_SECONDS_TO_HEALTHY"] = str(round(time.monotonic() - start + wait_healthy(env), 1))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "start.json").write_text(
        json.dumps({"bare_up_to_all_healthy_seconds": float(env["_SECONDS_TO_HEALTHY"])}))

    # The NASA and Hacker News stand-in, reachable from run containers as http://fake-apis:8080. It
    # accepts only the test's key, so a run that did not get NASA_API_KEY from the secrets volume
    # (and fell back to DEMO_KEY) fails with the API's 403.
    fake_apis = ROOT / "api_location" / "tests" / "fake_apis.py"
    run(["docker", "run", "-d", "--name", FAKE_APIS, "--network", NETWORK, "--network-alias", "fake-apis",
         "-v", f"{fake_apis}:/fake_apis.py:ro", "dagster_etl/api_location:latest",
         "python", "/fake_apis.py", "--host", "0.0.0.0", "--port", "8080", "--api-key", NASA_TEST_KEY])
    yield env
    _teardown(env)

