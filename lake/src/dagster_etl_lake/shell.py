"""`make sql`: the DuckDB CLI on the lake, attached READ_ONLY as the reader role.

    python -m dagster_etl_lake.shell [duckdb CLI arguments, e.g. -c "SELECT ..."]

Reads the same settings as every process (LAKE_CATALOG_TYPE, LAKE_CATALOG, LAKE_DATA_PATH), logs
in as the reader role and starts in the lake, so `FROM files.raw_data` works.
"""

import os
import sys
from importlib import resources
from pathlib import Path

from dagster_etl_lake.attach import open_statements
from dagster_etl_lake.settings import READER, lake_settings


def cli() -> Path:
    path = Path(str(resources.files("duckdb_cli") / "duckdb"))
    if not path.is_file():
        raise RuntimeError("the DuckDB CLI is not installed: install duckdb-cli")
    return path


def startup_sql() -> str:
    settings = lake_settings()
    settings = settings if settings.user == READER else settings.as_role(READER)
    # The CLI would fetch a missing extension from the internet; every one it needs is loaded first.
    return ";\n".join(["SET autoinstall_known_extensions = false",
                       *open_statements(settings, read_only=True)]) + ";"


if __name__ == "__main__":
    # -unsigned: the extensions' signatures were checked at build time (attach.SESSION_CONFIG).
    os.execv(cli(), [str(cli()), "-unsigned", "-cmd", startup_sql(), *sys.argv[1:]])
