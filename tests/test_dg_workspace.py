"""The developer's inner loop without Docker: the dg workspace in dg.toml serves the three code
locations, each from its own uv environment (<location>/.venv), against local folders.

The locations are loaded with no Postgres, S3 or NASA credentials in the environment: those are read
when a run needs them, never when the definitions load."""

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from stack import LOCATIONS, ROOT

# One asset each location serves (replication's needs Postgres only when it runs).
EXPECTED_ASSET = {
    "files_location": "duckdb_table",
    "api_location": "asteroids",
    "replication_location": "data/orders",
}
DG = Path(sys.executable).parent / "dg"
# Variables that only runs read; the workspace must load without any of them.
RUN_TIME_ONLY = ("SOURCE_POSTGRES_", "S3_", "NASA_API_KEY")
LOAD_TIMEOUT = 300  # seconds; a failure bound on a shared machine, not a speed claim

WORKSPACE_QUERY = """
{
  workspaceOrError {
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on PythonError { message }
          ... on RepositoryLocation {
            repositories { assetNodes { assetKey { path } } }
          }
        }
      }
    }
  }
}
"""


@pytest.fixture(scope="module")
def location_venvs() -> None:
    """Each location's own environment, as a developer makes it (`uv sync --project <location>`)."""
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to create the locations' environments"
    for location in LOCATIONS:
        subprocess.run(
            [uv, "sync", "--frozen", "--project", str(ROOT / location)], check=True, capture_output=True
        )


@pytest.fixture
def local_env(tmp_path: Path) -> dict[str, str]:
    """Local folders instead of the deployment's volumes, and a DAGSTER_HOME of its own (without
    it, `dg dev` would read the deployment's dagster.yaml at the root: Postgres, Docker runs)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(RUN_TIME_ONLY)}
    for name in ("DAGSTER_HOME", "WAREHOUSE_DIR", "LANDING_DIR", "REPORTS_DIR"):
        folder = tmp_path / name.lower()
        folder.mkdir()
        env[name] = str(folder)
    (tmp_path / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env.pop("VIRTUAL_ENV", None)  # dg picks each project's .venv, not the caller's
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dg_dev(location_venvs, local_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`dg dev` at the repository root, as a developer starts it; stopped with Ctrl-C (SIGINT)."""
    port = free_port()
    log = (tmp_path / "dg_dev.log").open("w")

    def child_setup() -> None:
        os.setsid()  # its own process group, so that nothing it starts outlives the test
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C works even if our caller ignores it

    process = subprocess.Popen(
        [str(DG), "dev", "--port", str(port)],
        cwd=ROOT,
        env=local_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=child_setup,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # code servers left behind, if any
            except ProcessLookupError:
                pass
            log.close()


def loaded_workspace(url: str, log_path: Path) -> dict[str, dict]:
    """The workspace's location entries once none is still loading."""
    deadline = time.monotonic() + LOAD_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/server_info", timeout=5).ok:
                response = requests.post(f"{url}/graphql", json={"query": WORKSPACE_QUERY}, timeout=30)
                entries = response.json()["data"]["workspaceOrError"]["locationEntries"]
                if entries and all(entry["loadStatus"] == "LOADED" for entry in entries):
                    return {entry["name"]: entry for entry in entries}
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise AssertionError(
        f"dg dev did not load the workspace in {LOAD_TIMEOUT}s:\n{log_path.read_text()[-4000:]}"
    )


def asset_keys(entry: dict) -> set[str]:
    location = entry["locationOrLoadError"]
    assert location["__typename"] == "RepositoryLocation", f"{entry['name']}: {location.get('message')}"
    return {
        "/".join(node["assetKey"]["path"]) for repo in location["repositories"] for node in repo["assetNodes"]
    }


def test_root_environment_holds_no_location_code():
    # What makes the next test prove that each location runs from its own environment.
    assert [name for name in LOCATIONS if importlib.util.find_spec(name)] == []


def test_dg_dev_serves_the_three_locations_from_their_own_environments(dg_dev: str, tmp_path: Path):
    entries = loaded_workspace(dg_dev, tmp_path / "dg_dev.log")

    assert sorted(entries) == sorted(LOCATIONS)
    keys = {name: asset_keys(entry) for name, entry in entries.items()}
    for location, key in EXPECTED_ASSET.items():
        assert key in keys[location], f"{location} lacks {key}: {sorted(keys[location])}"
