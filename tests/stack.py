"""Drives the deployment from outside, the way a user or an operator does: the compose tool,
docker, and the webserver's GraphQL API."""

import json
import os
import secrets
import subprocess
import time
from pathlib import Path

import requests
from dagster_graphql import DagsterGraphQLClient

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = [str(ROOT / "scripts" / "compose.sh")]
LOCATIONS = ("files_location", "api_location", "replication_location")
SERVICES = ("postgres", "webserver", "daemon", *LOCATIONS)
VOLUMES = ("postgres", "warehouse", "landing", "reports", "storage", "logs")
NETWORK = "dagster_etl"
FAKE_APIS = "dagster_etl_fake_apis"
PORT = int(os.environ.get("DAGSTER_ETL_TEST_PORT", "3000"))
URL = f"http://127.0.0.1:{PORT}"


def test_environment() -> dict[str, str]:
    """The stack's variables for a test run: fresh passwords, the stand-in APIs."""
    env = dict(os.environ)
    env.update(
        POSTGRES_PASSWORD=secrets.token_urlsafe(16),
        DAGSTER_POSTGRES_PASSWORD=secrets.token_urlsafe(16),
        SOURCE_POSTGRES_PASSWORD=secrets.token_urlsafe(16),
        NASA_API_KEY="TEST_KEY",
        NASA_BASE_URL="http://fake-apis:8080",
        HACKERNEWS_BASE_URL="http://fake-apis:8080/v0",
        DAGSTER_WEBSERVER_BIND="127.0.0.1",
        DAGSTER_WEBSERVER_PORT=str(PORT),
        LANDING_SENSOR_INTERVAL_SECONDS="5",
        DOCKER_GID=str(os.stat("/var/run/docker.sock").st_gid),
    )
    return env


def run(cmd: list[str], env: dict | None = None, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, check=check, text=True, capture_output=True, **kwargs)


def compose(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = run([*COMPOSE, *args], env=env, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"compose {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def service_health(env: dict) -> dict[str, str]:
    health = {}
    for service in SERVICES:
        cid = compose("ps", "-q", service, env=env).stdout.strip()
        if not cid:
            health[service] = "missing"
            continue
        state = json.loads(run(["docker", "inspect", "-f", "{{json .State}}", cid]).stdout)
        health[service] = state.get("Health", {}).get("Status", state["Status"])
    return health


def existing_volumes() -> list[str]:
    names = run(["docker", "volume", "ls", "-q"]).stdout.split()
    return [name for name in names if name.startswith("dagster_etl_")]


def project_containers() -> list[str]:
    """Containers of the stack and run containers it launched (labelled dagster/run_id)."""
    out = run(["docker", "ps", "-a", "--format", "{{.Names}} {{.Image}} {{.Labels}}"]).stdout
    return [line for line in out.splitlines() if "dagster_etl" in line or "dagster/run_id" in line]


def graphql(query: str, variables: dict | None = None) -> dict:
    response = requests.post(f"{URL}/graphql", json={"query": query, "variables": variables or {}}, timeout=30)
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


LOCATION_STATUSES = """
{
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError { __typename ... on PythonError { message } }
      }
    }
  }
}
"""


def location_statuses() -> dict[str, str]:
    """name -> LOADED / LOADING / ERROR: <message>, as the webserver sees it."""
    entries = graphql(LOCATION_STATUSES)["workspaceOrError"]["locationEntries"]
    statuses = {}
    for entry in entries:
        loaded = entry["locationOrLoadError"] or {}
        if loaded.get("__typename") == "PythonError":
            statuses[entry["name"]] = f"ERROR: {loaded['message']}"
        else:
            statuses[entry["name"]] = entry["loadStatus"]
    return statuses


def client() -> DagsterGraphQLClient:
    return DagsterGraphQLClient("127.0.0.1", port_number=PORT)


TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}


def launch(location: str, job: str, run_config: dict | None = None) -> str:
    return client().submit_job_execution(
        job, repository_location_name=location, run_config=run_config or {}
    )


def wait_for_run(run_id: str, timeout: float = 300) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = client().get_run_status(run_id).value
        if status in TERMINAL or time.monotonic() > deadline:
            return status
        time.sleep(2)


RUN_DETAILS = """
query Run($runId: ID!) {
  runOrError(runId: $runId) {
    ... on Run { status tags { key value } }
  }
  logsForRun(runId: $runId, limit: 1000) {
    ... on EventConnection {
      events {
        __typename
        ... on MessageEvent { message }
        ... on RunFailureEvent { error { message } }
        ... on ExecutionStepFailureEvent { error { message causes { message } } }
        ... on EngineEvent { error { message } }
      }
    }
  }
}
"""


def run_details(run_id: str) -> tuple[dict[str, str], str]:
    """The run's tags and all its event messages (including errors) as one text."""
    data = graphql(RUN_DETAILS, {"runId": run_id})
    tags = {tag["key"]: tag["value"] for tag in data["runOrError"]["tags"]}
    parts = []
    for event in data["logsForRun"]["events"]:
        parts.append(event.get("message") or "")
        error = event.get("error") or {}
        parts.append(error.get("message") or "")
        parts.extend(cause.get("message") or "" for cause in error.get("causes") or [])
    return tags, "\n".join(parts)


def warehouse_query(location: str, database: str, sql: str) -> list[tuple]:
    """Reads a DuckDB file from the warehouse volume, in a throwaway container of the location's image."""
    script = (
        "import duckdb, json, sys; "
        f"rows = duckdb.connect('/opt/dagster/warehouse/{database}', read_only=True).sql(sys.argv[1]).fetchall(); "
        "print(json.dumps(rows, default=str))"
    )
    result = run(
        ["docker", "run", "--rm", "-v", "dagster_etl_warehouse:/opt/dagster/warehouse:ro",
         f"dagster_etl/{location}:latest", "python", "-c", script, sql]
    )
    return [tuple(row) for row in json.loads(result.stdout)]


def copy_into_volume(volume: str, source: Path, name: str) -> None:
    copy_into_volume_text(volume, source.read_text(), name)


def copy_into_volume_text(volume: str, text: str, name: str) -> None:
    """Places a file into a named volume the way a user's sync job would: written aside, then renamed."""
    run(
        ["docker", "run", "--rm", "-i", "-v", f"dagster_etl_{volume}:/target",
         "dagster_etl/files_location:latest", "sh", "-c",
         f"cat > /target/.{name}.tmp && mv /target/.{name}.tmp /target/{name}"],
        input=text,
    )
