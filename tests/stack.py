"""Drives the deployment from outside, the way a user or an operator does: the compose tool,
docker, and the webserver's GraphQL API."""

import functools
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import requests
from dagster_graphql import DagsterGraphQLClient

ROOT = Path(__file__).resolve().parents[1]
LOCATIONS = ("files_location", "api_location", "replication_location", "maintenance_location")
SERVICES = ("postgres", "webserver", "daemon", *LOCATIONS)
ONE_SHOTS = ("secrets", "init")
NETWORK = "dagster_etl"
FAKE_APIS = "dagster_etl_fake_apis"
PORT = int(os.environ.get("DAGSTER_ETL_TEST_PORT", "3000"))
URL = f"http://127.0.0.1:{PORT}"
NASA_TEST_KEY = "TEST_KEY_not_DEMO"


# A file of the user's own under a course sample's name, placed before the first start: the init
# service must keep it.
USER_FILE = "2018-01-24.csv"
USER_FILE_TEXT = ('"date","share_price","amount","spend","shift","spread"\n'
                  '"2018/01/24","1.0","2.0","3.0","4.0","5.0"\n')


@functools.cache
def compose_command() -> list[str]:
    """The bare command a user types: the `docker compose` plugin, else standalone docker-compose.
    Looked up when first needed, so that the static checks importing this module need no Docker."""
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise RuntimeError("neither `docker compose` nor `docker-compose` is installed")



def test_environment() -> dict[str, str]:
    """The stack's variables for a test run: nothing but what the tests need to differ from a
    user's bare start (the stand-in APIs, a NASA key, a schedule firing every minute). Every other
    variable of .env.example is blanked, so that a developer's .env cannot change what is tested."""
    env = dict(os.environ)
    for line in (ROOT / ".env.example").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            env[line.split("=", 1)[0]] = ""
    for name in ("DAGSTER_POSTGRES_USER", "SOURCE_POSTGRES_DB", "SOURCE_POSTGRES_USER", "S3_REGION"):
        del env[name]  # blank would mean an empty role name: leave them to compose's defaults
    env.update(
        NASA_API_KEY=NASA_TEST_KEY,
        NASA_BASE_URL="http://fake-apis:8080",
        HACKERNEWS_BASE_URL="http://fake-apis:8080/v0",
        DAGSTER_WEBSERVER_PORT=str(PORT),
        DATE_RANGE_SCHEDULE_CRON="* * * * *",
    )
    return env


def run(cmd: list[str], env: dict | None = None, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, check=check, text=True, capture_output=True, **kwargs)


def compose(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = run([*compose_command(), *args], env=env, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"compose {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


HEALTH_FORMAT = ('{{index .Config.Labels "com.docker.compose.service"}} '
                 '{{index .Config.Labels "com.docker.compose.oneoff"}} '
                 '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}')


def project_container_ids(env: dict) -> list[str]:
    return compose("ps", "-a", "-q", env=env).stdout.split()


def service_container(env: dict, service: str) -> str:
    """The id of the service's container, running or exited (the one-shots)."""
    return compose("ps", "-a", "-q", service, env=env).stdout.strip()


def health_of(ids: list[str]) -> dict[str, str]:
    """Each service's health (its state where it has no healthcheck), in one docker call."""
    health = dict.fromkeys(SERVICES, "missing")
    inspected = run(["docker", "inspect", "-f", HEALTH_FORMAT, *ids], check=False).stdout if ids else ""
    for service, oneoff, status in (line.split() for line in inspected.splitlines()):
        if service in health and oneoff == "False":
            health[service] = status
    return health


def service_health(env: dict) -> dict[str, str]:
    # One compose call, not one per service: compose v1 takes most of a second to start.
    return health_of(project_container_ids(env))


def existing_volumes() -> list[str]:
    names = run(["docker", "volume", "ls", "-q"]).stdout.split()
    return [name for name in names if name.startswith("dagster_etl_")]


def project_containers() -> list[str]:
    """Containers of the stack and run containers it launched (labelled dagster/run_id)."""
    out = run(["docker", "ps", "-a", "--format", "{{.Names}} {{.Image}} {{.Labels}}"]).stdout
    return [line for line in out.splitlines() if "dagster_etl" in line or "dagster/run_id" in line]


def graphql(query: str, variables: dict | None = None) -> dict:
    response = requests.post(f"{URL}/graphql", json={"query": query, "variables": variables or {}},
                             timeout=30)
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


# An analyst's Python session: the lake of the container's settings, as the read-only role.
READ_ONLY_LAKE = ("from dagster_etl_lake import connect, lake_settings; "
                  "from dagster_etl_lake.settings import READER; "
                  "lake = connect(lake_settings().as_role(READER), read_only=True)")


def lake_query(sql: str, env: dict | None = None) -> list[tuple]:
    """Reads the lake as an analyst does: the read-only role, from a throwaway container of the
    init service (the image and settings `make sql` uses), while the stack runs."""
    script = (f"import json, sys; {READ_ONLY_LAKE}; "
              "print(json.dumps(lake.sql(sys.argv[1]).fetchall(), default=str))")
    result = compose("run", "--rm", "--no-deps", "-T", "init", "python", "-c", script, sql, env=env)
    return [tuple(row) for row in json.loads(result.stdout.strip().splitlines()[-1])]


def postgres_statistic(env: dict, sql: str) -> str:
    """One value from Postgres' statistics views, read by the superuser inside its container (from
    the `postgres` database, so that this session is not counted in Dagster's)."""
    postgres = service_container(env, "postgres")
    psql = ["psql", "-U", "postgres", "-d", "postgres", "-tAc", sql]
    return run(["docker", "exec", postgres, *psql]).stdout.strip()


def connections_opened(env: dict) -> int:
    """Connections Postgres has accepted into Dagster's database since it started."""
    return int(postgres_statistic(env, "SELECT sessions FROM pg_stat_database WHERE datname = 'dagster'"))


def connections_held(env: dict) -> int:
    return int(postgres_statistic(env, "SELECT count(*) FROM pg_stat_activity WHERE datname = 'dagster'"))


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


LAUNCH_RUN = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""


def launch_run(location: str, job: str, run_config: dict | None = None, *,
               assets: list[list[str]] | None = None, partition: str = "") -> str:
    """What Launch / Materialize in the UI sends: a job (or the assets to materialize), run config,
    and the partition picked in the partition dialog."""
    selector = {"repositoryLocationName": location, "repositoryName": "__repository__", "jobName": job}
    if assets:
        selector["assetSelection"] = [{"path": path} for path in assets]
    tags = [{"key": "dagster/partition", "value": partition}] if partition else []
    params = {"selector": selector, "runConfigData": run_config or {}, "executionMetadata": {"tags": tags}}
    result = graphql(LAUNCH_RUN, {"params": params})["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", result
    return result["run"]["runId"]


RUN_EVENTS = """
query Events($runId: ID!) {
  logsForRun(runId: $runId, limit: 5000) {
    ... on EventConnection {
      events {
        __typename
        ... on AssetCheckEvaluationEvent { evaluation { checkName success } }
      }
    }
  }
}
"""


def run_events(run_id: str, typename: str) -> list[dict]:
    events = graphql(RUN_EVENTS, {"runId": run_id})["logsForRun"]["events"]
    return [e.get("evaluation") or e for e in events if e["__typename"] == typename]


def wait_healthy(env: dict, timeout: float = 300) -> float:
    start = time.monotonic()
    ids = project_container_ids(env)
    while time.monotonic() - start < timeout:
        health = health_of(ids)
        if all(status == "healthy" for status in health.values()):
            return time.monotonic() - start
        if "missing" in health.values():  # not created yet, or recreated under a new id
            ids = project_container_ids(env)
        time.sleep(0.2)
    logs = compose("logs", "--tail=40", env=env, check=False).stdout
    raise AssertionError(f"not all services healthy after {timeout}s: {service_health(env)}\n{logs[-6000:]}")
