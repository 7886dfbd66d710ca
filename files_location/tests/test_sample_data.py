"""The benchmark file generator writes files the location accepts, in the course's format."""

import duckdb

from files_location.sample_data import write_share_prices
from files_location.warehouse import DUCKDB_CONFIG, Tag, replace_file_rows


def test_generated_file_loads_row_for_row(tmp_path):
    path = write_share_prices(tmp_path / "big.csv", rows=5_000)
    lines = path.read_text().splitlines()
    assert lines[0] == '"date","share_price","amount","spend","shift","spread"'
    assert lines[1].startswith('"1900/01/01","')
    with duckdb.connect(str(tmp_path / "files.duckdb"), config=DUCKDB_CONFIG) as conn:
        loaded = replace_file_rows(
            conn,
            table="raw_data",
            source=str(path),
            file="big.csv",
            tags=[Tag("source_file", "VARCHAR", "big.csv")],
            key="source_file",
        )
        assert loaded == 5_000
        assert conn.execute(
            "SELECT min(share_price) > 0, count(DISTINCT date) FROM raw_data"
        ).fetchone() == (
            True,
            5_000,
        )
