"""LakeResource on a lake made as the deployment makes it (seed/initdb/lake.sql, a Postgres
catalog, the roles' passwords only in PGPASSFILE)."""

import os
from pathlib import Path

import dagster as dg
import pytest

from dagster_etl_lake import LakeResource, LakeUnreachable, connect
from dagster_etl_lake.settings import READER


@dg.asset
def sales(lake: LakeResource) -> None:
    with lake.get_connection() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS orders (id INTEGER, amount DOUBLE)")
        conn.execute("INSERT INTO orders SELECT range, range * 1.5 FROM range(100)")


def test_an_asset_writes_its_location_schema_and_a_reader_reads_it(lake):
    result = dg.materialize([sales], resources={"lake": LakeResource(lake_schema="sales")})
    assert result.success
    with connect(lake.as_role(READER), read_only=True) as reader:
        assert reader.sql("SELECT count(*), sum(amount) FROM sales.orders").fetchall() == [(100, 7425.0)]


def test_the_reader_role_cannot_change_the_lake_even_when_it_does_not_ask_for_read_only(lake):
    dg.materialize([sales], resources={"lake": LakeResource(lake_schema="sales")})
    with connect(lake.as_role(READER)) as reader:
        with pytest.raises(Exception, match="read-only|permission denied"):
            reader.execute("INSERT INTO sales.orders VALUES (1, 1.0)")
    with connect(lake) as writer:
        assert writer.sql("SELECT count(*) FROM sales.orders").fetchall() == [(100,)]


def test_a_wrong_password_fails_naming_the_catalog_and_printing_no_password(lake, tmp_path, monkeypatch):
    right = Path(os.environ["PGPASSFILE"])
    wrong = tmp_path / "pgpass"
    wrong.write_text("*:*:*:lake_writer:not-the-password\n")
    wrong.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(wrong))
    with pytest.raises(LakeUnreachable) as raised:
        connect(lake)
    message = str(raised.value)
    assert "could not open the lake" in message and "dbname=lake_" in message
    assert "password authentication failed" in message
    assert "not-the-password" not in message
    assert not any(password in message for password in lake_passwords(right))


def lake_passwords(pgpass: Path) -> list[str]:
    return [line.rsplit(":", 1)[1] for line in pgpass.read_text().splitlines()]


def test_connections_of_one_process_share_one_session_but_not_transactions_or_temp_tables(lake):
    resource = LakeResource(lake_schema="sales")
    with resource.get_connection() as first, resource.get_connection() as second:
        first.execute("CREATE TEMP TABLE mine AS SELECT 1 AS x")
        first.execute("CREATE TABLE t (x INTEGER)")
        first.execute("BEGIN")
        first.execute("INSERT INTO t VALUES (1)")
        assert second.sql("SELECT count(*) FROM t").fetchall() == [(0,)]  # not committed yet
        first.execute("COMMIT")
        assert second.sql("SELECT count(*) FROM t").fetchall() == [(1,)]
        mine = "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'mine'"
        assert second.sql(mine).fetchall() == [(0,)]
        assert second.sql("SELECT current_schema()").fetchall() == [("sales",)]
