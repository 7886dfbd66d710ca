"""`make sql`'s shell: the DuckDB CLI on the lake as the reader, starting in the lake."""

import os
import subprocess

from dagster_etl_lake import connect
from dagster_etl_lake.shell import cli, startup_sql


def run_cli(sql: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(cli()), "-csv", "-cmd", startup_sql(), "-c", sql],
                          capture_output=True, text=True, env=os.environ, timeout=120)


def test_the_shell_reads_the_lake_as_the_reader_and_cannot_write(lake):
    with connect() as writer:
        writer.execute("CREATE SCHEMA files")
        writer.execute("CREATE TABLE files.raw_data AS SELECT range AS n FROM range(42)")
    result = run_cli("SELECT count(*) AS rows FROM files.raw_data")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "42"
    assert "lake_reader" in startup_sql() and "READ_ONLY" in startup_sql()

    refused = run_cli("INSERT INTO files.raw_data VALUES (1)")
    assert refused.returncode != 0
    assert "read-only" in refused.stderr
