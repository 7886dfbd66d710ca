import os

# dlt must not phone home from tests either (set before dlt is imported anywhere).
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource
from files_location.sample_data import sample_file
from files_location.warehouse import DUCKDB_CONFIG

HEADER = '"date","share_price","amount","spend","shift","spread"\n'


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
