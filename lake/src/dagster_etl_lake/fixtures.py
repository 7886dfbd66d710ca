"""pytest fixtures for every suite that writes a lake on a throwaway Postgres:

    pytest_plugins = ["dagster_etl_lake.fixtures"]   # in the suite's conftest.py

`postgres` is one cluster for the session (a suite may override it, e.g. to add a source
database); `new_lake()` makes a lake of its own (a catalog database made by seed/initdb/lake.sql,
a data folder) and points this process's environment at it, as a deployment's writer; `lake` is
one such lake's settings.
"""

import itertools

import pytest

from dagster_etl_lake.settings import LakeSettings
from dagster_etl_lake.testing import LocalPostgres

_lakes = itertools.count(1)


@pytest.fixture(scope="session")
def postgres():
    cluster = LocalPostgres().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def new_lake(postgres, tmp_path, monkeypatch):
    def make(name: str = "lake") -> LakeSettings:
        local = postgres.create_lake(tmp_path / name, dbname=f"lake_{next(_lakes)}")
        for key, value in local.env().items():  # PGPASSFILE among them
            monkeypatch.setenv(key, value)
        return local.settings

    return make


@pytest.fixture
def lake(new_lake) -> LakeSettings:
    return new_lake()
