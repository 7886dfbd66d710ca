import sys
from pathlib import Path

import duckdb
import pytest

from api_location import settings
from dagster_etl_lake import connect
from dagster_etl_lake.settings import local_lake

sys.path.insert(0, str(Path(__file__).parent))

from fake_apis import FakeApis  # noqa: E402

TEST_KEY = "test-key"


@pytest.fixture(scope="session")
def fake_server():
    apis = FakeApis(api_keys={TEST_KEY, "DEMO_KEY"}).start()
    yield apis
    apis.stop()


@pytest.fixture
def apis(fake_server):
    fake_server.reset()
    yield fake_server
    fake_server.reset()


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch, fake_server):
    """The location's environment, pointed at temp folders and the stand-in APIs."""
    warehouse, reports = tmp_path / "warehouse", tmp_path / "reports"
    warehouse.mkdir()
    reports.mkdir()
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse))  # the local lake: a SQLite catalog there
    for name in ("LAKE_CATALOG_TYPE", "LAKE_CATALOG", "LAKE_DATA_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REPORTS_DIR", str(reports))
    monkeypatch.setenv("NASA_API_KEY", TEST_KEY)
    monkeypatch.setenv("NASA_BASE_URL", fake_server.url)
    monkeypatch.setenv("HACKERNEWS_BASE_URL", fake_server.hackernews_url)
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.delenv("UNSET_VAR", raising=False)
    return {"warehouse": warehouse, "reports": reports}


@pytest.fixture
def fast_resources():
    """Run config that keeps the production retry count but without backoff pauses."""
    return {
        "nasa": {"config": {"backoff_factor": 0, "read_timeout": 1.0, "max_retries": 3}},
        "hackernews": {"config": {"backoff_factor": 0, "read_timeout": 1.0}},
    }


@pytest.fixture
def defs():
    from api_location.definitions import defs as lazy_defs

    return lazy_defs()


def query(warehouse: Path, sql: str):
    """Rows from the local lake in `warehouse` (what `dg dev` uses), the location's schema first."""
    with connect(local_lake(warehouse), read_only=True) as conn:
        try:
            conn.execute(f"USE lake.{settings.LAKE_SCHEMA}")
        except duckdb.CatalogException:
            pass  # only dlt's datasets so far
        return conn.execute(sql).fetchall()
