"""The two instance classes dagster.yaml names that Dagster does not ship, each a small subclass of
Dagster's own. Every image of the stack has this module (/opt/dagster/lib, on PYTHONPATH): every
process that loads the instance (webserver, daemon, code servers, runs) imports it."""

import os

from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import create_pg_engine, get_token_provider_from_config, pg_url_from_config

# Connections each process keeps open. The daemon's loops and a run worker rarely query more than
# a few at once; beyond POOL_SIZE a connection is opened for the burst and closed after it.
POOL_SIZE = 3
MAX_OVERFLOW = 12

# Dagster's config takes whole seconds, at least 1; the daemon's loop waits in half seconds.
DEQUEUE_INTERVAL_SECONDS = 0.5

_engines: dict = {}


def _process_engine(postgres_url: str, token_provider):
    # One pool per process: a forked child must not reuse its parent's sockets.
    key = (os.getpid(), postgres_url)
    if key not in _engines:
        _engines[key] = create_pg_engine(
            postgres_url,
            token_provider,
            isolation_level="AUTOCOMMIT",
            pool_size=POOL_SIZE,
            max_overflow=MAX_OVERFLOW,
            # A connection is tested when taken, so that after Postgres restarts the next query
            # reconnects instead of failing with "server closed the connection unexpectedly".
            pool_pre_ping=True,
        )
    return _engines[key]


class PooledPostgresStorage(DagsterPostgresStorage):
    """dagster-postgres' storage with its connections pooled.

    dagster-postgres opens a new connection for every query outside the webserver (NullPool): one
    import_job run opened about 90 and the idle daemon about 20 a second, each a backend fork and a
    SCRAM exchange. Here the run, event log and schedule storages of every instance a process
    creates (code servers create one per request) share that process's pool. The webserver swaps
    in its own pooled engines (optimize_for_webserver; deploy/docker/webserver.py)."""

    def __init__(self, postgres_url, should_autocreate_tables=True, inst_data=None, token_provider=None):
        super().__init__(postgres_url, should_autocreate_tables, inst_data, token_provider)
        engine = _process_engine(postgres_url, token_provider)
        # The engine swap the storages' own optimize_for_webserver() makes.
        for storage in (self._run_storage, self._event_log_storage, self._schedule_storage):
            storage._engine = engine

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(
            pg_url_from_config(config_value),
            config_value.get("should_autocreate_tables", True),
            inst_data,
            get_token_provider_from_config(config_value),
        )


class PromptQueuedRunCoordinator(QueuedRunCoordinator):
    """Dagster's run queue, read by the daemon every half second instead of every second: a launch
    waits a quarter of a second less on average, for one more cheap query a second."""

    @property
    def dequeue_interval_seconds(self) -> float:
        return DEQUEUE_INTERVAL_SECONDS
