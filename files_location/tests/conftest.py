import os
import time

# dlt must not phone home from tests either (set before dlt is imported anywhere).
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dagster as dg
import duckdb
import pytest

from dagster_etl_lake import LakeResource, connect
from dagster_etl_lake.settings import local_lake
from dagster_etl_lake.testing import LocalS3
from files_location import settings
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
    """A local lake of its own (what `dg dev` uses: a SQLite catalog in WAREHOUSE_DIR)."""
    folder = tmp_path / "warehouse"
    folder.mkdir()
    for name in ("LAKE_CATALOG_TYPE", "LAKE_CATALOG", "LAKE_DATA_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WAREHOUSE_DIR", str(folder))
    return folder


@pytest.fixture()
def duckdb_resource(warehouse):
    return LakeResource(lake_schema=settings.LAKE_SCHEMA, connection_config=DUCKDB_CONFIG)


def put_sample(landing, name="2018-01-22.csv", as_name=None):
    target = landing / (as_name or name)
    target.write_bytes(sample_file(name).read_bytes())
    return target


def query(warehouse, sql, params=None):
    """Rows from the local lake in folder `warehouse` (the location's schema first on the search
    path), or [] when the table was never created."""
    if not (warehouse / "lake.sqlite").exists():
        return []
    with connect(local_lake(warehouse), read_only=True) as conn:
        try:
            conn.execute(f"USE lake.{settings.LAKE_SCHEMA}")
        except duckdb.CatalogException:
            pass  # nothing loaded into the location's schema yet (dlt's datasets have their own)
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


@pytest.fixture(scope="session")
def s3_server():
    server = LocalS3().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_endpoint(s3_server):
    return s3_server.url


@pytest.fixture()
def bucket(s3_server):
    return s3_server.client(), s3_server.create_bucket("landing")


def s3_resource(endpoint: str):
    from files_location.s3_client import S3Storage

    return S3Storage(endpoint_url=endpoint, access_key_id=LocalS3.KEY_ID, secret_access_key=LocalS3.SECRET)


def run_dlt(path):
    """import_file then the dlt load of that landing file, as the dlt job runs them."""
    return dg.materialize(
        [import_file, dlt_csv_assets],
        resources={"dlt": DltRunner()},
        run_config={"ops": {"import_file": {"config": {"path": path}}}},
        raise_on_error=False,
    )
