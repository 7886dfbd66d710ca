import os
import socket
import subprocess
import sys
import time
from pathlib import Path

# dlt must not phone home from tests either (set before dlt is imported anywhere).
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from files_location.defs.dlt_csv import dlt_csv_assets
from files_location.defs.file_import import import_file
from files_location.dlt_resource import DltRunner
from files_location.sample_data import sample_file
from files_location.share_prices import COLUMNS
from files_location.warehouse import DUCKDB_CONFIG

# The course files' header line: every column quoted.
HEADER = ",".join(f'"{name}"' for name in COLUMNS) + "\n"


@pytest.fixture()
def landing(tmp_path, monkeypatch):
    folder = tmp_path / "landing"
    folder.mkdir()
    monkeypatch.setenv("LANDING_DIR", str(folder))
    return folder


@pytest.fixture()
def warehouse(tmp_path, monkeypatch):
    folder = tmp_path / "warehouse"
    folder.mkdir()
    monkeypatch.setenv("WAREHOUSE_DIR", str(folder))
    return folder / "files.duckdb"


@pytest.fixture()
def duckdb_resource(warehouse):
    return DuckDBResource(database=str(warehouse), connection_config=DUCKDB_CONFIG)


def put_sample(landing, name="2018-01-22.csv", as_name=None):
    target = landing / (as_name or name)
    target.write_bytes(sample_file(name).read_bytes())
    return target


def query(database, sql, params=None):
    """Rows from the warehouse, or [] when the table was never created."""
    if not os.path.exists(database):
        return []
    with duckdb.connect(str(database), read_only=True) as conn:
        try:
            return conn.execute(sql, params or []).fetchall()
        except duckdb.CatalogException:
            return []


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    """Everything a user would read about why a run failed: step errors and failed checks."""
    parts = []
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        parts.append(data.error.to_string() if data.error else "")
        if data.user_failure_data is not None:
            parts.append(data.user_failure_data.description or "")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            parts.append(evaluation.description or "")
    return "\n".join(parts)


def failed_check(result: dg.ExecuteInProcessResult):
    """The one failed check evaluation of a run (the contract, on whichever asset carries it)."""
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if not e.passed]
    return evaluation


def age(path, seconds: float = 60, *, plus_ns: int = 0):
    """Give a file an mtime `seconds` in the past: settled for the landing sensor."""
    mtime_ns = time.time_ns() - int(seconds * 1e9) + plus_ns
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


# --- a real S3 server (moto's server mode) on 127.0.0.1 ------------------------------------

S3_KEY_ID, S3_SECRET = "files-location-test", "files-location-test-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError as error:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from error
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture()
def bucket(s3_endpoint):
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=S3_KEY_ID,
        aws_secret_access_key=S3_SECRET,
        region_name="us-east-1",
    )
    name = f"landing-{time.monotonic_ns()}"
    client.create_bucket(Bucket=name)
    return client, name


def s3_resource(endpoint: str):
    from files_location.s3_client import S3Storage

    return S3Storage(endpoint_url=endpoint, access_key_id=S3_KEY_ID, secret_access_key=S3_SECRET)


def run_dlt(path):
    """import_file then the dlt load of that landing file, as the dlt job runs them."""
    return dg.materialize(
        [import_file, dlt_csv_assets],
        resources={"dlt": DltRunner()},
        run_config={"ops": {"import_file": {"config": {"path": path}}}},
        raise_on_error=False,
    )
