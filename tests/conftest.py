import json
import os
import time

import pytest

from stack import (
    FAKE_APIS,
    LOCATIONS,
    NETWORK,
    ROOT,
    SERVICES,
    compose,
    existing_volumes,
    run,
    service_health,
    test_environment,
)

METRICS = ROOT / "build" / "deployment-metrics.json"


def _teardown(env: dict) -> None:
    run(["docker", "rm", "-f", FAKE_APIS], check=False)
    compose("down", "--volumes", "--remove-orphans", "--timeout", "20", env=env, check=False)


def _wait_healthy(env: dict, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        health = service_health(env)
        if all(status == "healthy" for status in health.values()):
            return time.monotonic() - start
        time.sleep(0.5)
    logs = compose("logs", "--tail=40", env=env, check=False).stdout
    raise AssertionError(f"not all services healthy after {timeout}s: {service_health(env)}\n{logs[-6000:]}")


def _measure(env: dict, seconds_to_healthy: float, build_seconds: float) -> None:
    """Image sizes and idle memory, kept for the closing note and bench/."""
    images = {}
    for name in ("dagster", "postgres", *LOCATIONS):
        size = run(["docker", "image", "inspect", "-f", "{{.Size}}", f"dagster_etl/{name}:latest"]).stdout
        images[name] = round(int(size) / 2**20)
    time.sleep(20)  # let start-up settle before reading idle memory
    ids = {service: compose("ps", "-q", service, env=env).stdout.strip() for service in SERVICES}
    stats = run(["docker", "stats", "--no-stream", "--format", "{{.ID}} {{.MemUsage}}", *ids.values()]).stdout
    by_id = {line.split()[0]: line.split(" ", 1)[1].split(" / ")[0] for line in stats.splitlines()}
    memory = {service: next((m for i, m in by_id.items() if cid.startswith(i)), "?") for service, cid in ids.items()}
    METRICS.parent.mkdir(exist_ok=True)
    METRICS.write_text(json.dumps({
        "build_seconds": round(build_seconds, 1),
        "up_to_all_healthy_seconds": round(seconds_to_healthy, 1),
        "image_size_mib": images,
        "idle_memory": memory,
    }, indent=2))


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
    run([str(ROOT / "scripts" / "base-image.sh")])

    start = time.monotonic()
    compose("build", env=env)
    build_seconds = time.monotonic() - start

    start = time.monotonic()
    compose("up", "-d", env=env)
    seconds_to_healthy = (time.monotonic() - start) + _wait_healthy(env, timeout=300)
    _measure(env, seconds_to_healthy, build_seconds)

    # The NASA and Hacker News stand-in, reachable from run containers as http://fake-apis:8080.
    fake_apis = ROOT / "api_location" / "tests" / "fake_apis.py"
    run(["docker", "run", "-d", "--name", FAKE_APIS, "--network", NETWORK, "--network-alias", "fake-apis",
         "-v", f"{fake_apis}:/fake_apis.py:ro", "dagster_etl/api_location:latest",
         "python", "/fake_apis.py", "--host", "0.0.0.0", "--port", "8080"])
    yield env
    _teardown(env)
