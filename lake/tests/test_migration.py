"""A deployment of the DuckDB-file era moves into the lake at the first start of this release: every
table of every file arrives with its rows, the files are kept as they were, and it happens once."""

import hashlib

import duckdb

from dagster_etl_lake import connect
from dagster_etl_lake.prepare import prepare
from dagster_etl_lake.settings import READER

# What the three locations of the previous release wrote (their DDL; dlt's datasets as schemas).
OLD_FILES = {
    "files.duckdb": [
        "CREATE TABLE raw_data (date DATE, share_price DOUBLE, source_file VARCHAR NOT NULL)",
        "INSERT INTO raw_data"
        " SELECT DATE '2018-01-22' + range::INTEGER, range * 1.5, 'a.csv' FROM range(500)",
        "CREATE SCHEMA csv_data",
        "CREATE TABLE csv_data.load_csv (share_price DOUBLE, _dlt_load_id VARCHAR, _dlt_id VARCHAR)",
        "INSERT INTO csv_data.load_csv SELECT range, '1', md5(range::VARCHAR) FROM range(30)",
        "CREATE TABLE csv_data._dlt_loads (load_id VARCHAR, status BIGINT)",
        "INSERT INTO csv_data._dlt_loads VALUES ('1', 0)",
    ],
    "api.duckdb": [
        "CREATE TABLE raw_asteroid_data (id VARCHAR NOT NULL, approach_date DATE NOT NULL,"
        " PRIMARY KEY (id, approach_date))",
        "INSERT INTO raw_asteroid_data SELECT range::VARCHAR, DATE '2025-04-01' FROM range(70)",
    ],
    "replication.duckdb": [
        "CREATE TABLE data_orders (order_id INTEGER, total_amount DECIMAL(10, 2))",
        "INSERT INTO data_orders SELECT range, range / 100 FROM range(100000)",
    ],
}
EXPECTED = {"files.raw_data": 500, "csv_data.load_csv": 30, "csv_data._dlt_loads": 1,
            "api.raw_asteroid_data": 70, "replication.data_orders": 100000}


def write_old_files(folder):
    for name, statements in OLD_FILES.items():
        with duckdb.connect(str(folder / name)) as conn:
            for statement in statements:
                conn.execute(statement)


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lake_counts(lake) -> dict[str, int]:
    with connect(lake.as_role(READER), read_only=True) as reader:
        tables = reader.sql("SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'lake'"
                            " ORDER BY 1, 2").fetchall()
        return {f"{s}.{t}": reader.sql(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0] for s, t in tables}


def test_every_table_of_every_old_file_arrives_once_and_the_files_are_kept(lake, tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse))
    write_old_files(warehouse)
    before = {path.name: digest(path) for path in warehouse.glob("*.duckdb")}

    lines = prepare()
    assert lake_counts(lake) == EXPECTED
    assert sum("copied" in line for line in lines) == 3, lines
    assert {path.name: digest(path) for path in warehouse.glob("*.duckdb")} == before

    # Values, not only counts: the same rows as in the old file.
    with connect() as conn:
        assert conn.sql("SELECT sum(total_amount) FROM replication.data_orders").fetchone() == \
            duckdb.connect(str(warehouse / "replication.duckdb"), read_only=True).sql(
                "SELECT sum(total_amount) FROM data_orders").fetchone()

    # The next start (and every one after) copies nothing again.
    again = prepare()
    assert not any("copied" in line for line in again), again
    assert lake_counts(lake) == EXPECTED


def test_a_deployment_without_old_files_only_gets_its_lake(lake, tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    assert len(prepare()) == 1
    assert lake_counts(lake) == {}
