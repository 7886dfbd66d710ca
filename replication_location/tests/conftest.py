import atexit
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import dagster as dg
import pytest
import yaml

from dagster_etl_lake.testing import LocalPostgres
from replication_location.binaries import offline_environment

# Before anything imports `sling`: its wrapper reads SLING_BINARY at import time and would
# otherwise try to download a binary. HOME holds the DuckDB extensions the CLI loads.
_HOME = Path(tempfile.mkdtemp(prefix="replication-home-"))
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
os.environ.update(offline_environment(_HOME))

REPLICATOR = "replicator"
_databases = count(1)


@dataclass
class Source:
    postgres: LocalPostgres
    dbname: str
    password: str

    def connect(self):
        """An admin connection (the application's writes); Sling reads as the replicator."""
        return self.postgres.connect(self.dbname)

    def env(self) -> dict[str, str]:
        return {
            "SOURCE_POSTGRES_HOST": "127.0.0.1",
            "SOURCE_POSTGRES_PORT": str(self.postgres.port),
            "SOURCE_POSTGRES_DB": self.dbname,
            "SOURCE_POSTGRES_USER": REPLICATOR,
            "SOURCE_POSTGRES_PASSWORD": self.password,
        }


pytest_plugins = ["dagster_etl_lake.fixtures"]  # new_lake, lake


@pytest.fixture(scope="session")
def postgres():  # the plugin's, with the seeded source database
    cluster = LocalPostgres().start()
    try:
        cluster.create_source("source_seeded")
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def replicator_password(postgres) -> str:
    password = secrets.token_urlsafe(16)
    postgres.create_replication_role("source_seeded", REPLICATOR, password)
    return password


@pytest.fixture
def source(postgres, replicator_password, lake, tmp_path, monkeypatch) -> Source:
    """A fresh copy of the seeded source database, a lake, and the location's env pointing at both."""
    dbname = f"source_{next(_databases)}"
    postgres.create_source(dbname, template="source_seeded")
    postgres.create_replication_role(dbname, REPLICATOR, replicator_password)
    src = Source(postgres, dbname, replicator_password)
    for key, value in src.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    return src


@pytest.fixture
def instance():
    with dg.instance_for_test() as inst:
        yield inst


ENGINES = ["sling", "duckdb"]
# Runs a test once per engine: `engine` names the one replication.yaml switches every stream to.
both_engines = pytest.mark.parametrize("engine", ENGINES)


@pytest.fixture
def engine() -> str:
    return "sling"  # the shipped replication.yaml; tests marked both_engines override this


def replication_with_engine(engine: str, directory: Path, streams: list[str] | None = None,
                            extra_streams: dict | None = None) -> Path:
    """The location's replication.yaml (plus `extra_streams`) with `meta: {engine: ...}` added
    under `streams` (default: every stream), as a user switches a stream."""
    from replication_location.defs.postgres_replication import assets

    config = yaml.safe_load(assets.REPLICATION_CONFIG.read_text())
    config["streams"].update(extra_streams or {})
    for name in streams or list(config["streams"]):
        stream = config["streams"][name] or {}
        config["streams"][name] = {**stream, "meta": {**(stream.get("meta") or {}), "engine": engine}}
    path = directory / f"replication-{engine}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def load_location(engine: str, directory: Path, monkeypatch, streams: list[str] | None = None,
                  extra_streams: dict | None = None) -> dg.Definitions:
    """The code location as the code server loads it (after the env is set), `streams` on `engine`."""
    from replication_location.definitions import defs
    from replication_location.defs.postgres_replication import assets

    monkeypatch.setattr(assets, "REPLICATION_CONFIG",
                        replication_with_engine(engine, directory, streams, extra_streams))
    return defs()


@pytest.fixture
def location_defs(source, engine, tmp_path, monkeypatch) -> dg.Definitions:
    if engine == "sling":  # exactly the shipped file
        from replication_location.definitions import defs

        return defs()
    return load_location(engine, tmp_path, monkeypatch)
