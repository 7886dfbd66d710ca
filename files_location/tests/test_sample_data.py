"""The benchmark file generator writes files the location accepts, in the course's format."""

import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import query

import files_location
from files_location.definitions import defs
from files_location.sample_data import SAMPLE_FILES, write_share_prices
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


def test_course_samples_are_plain_files_that_the_import_job_loads(tmp_path, landing, warehouse):
    folder = Path(files_location.__file__).parent / "course_samples"
    assert sorted(p.name for p in folder.glob("*.csv")) == list(SAMPLE_FILES)
    subprocess.run(
        [sys.executable, "-m", "files_location.sample_data", "--copy-samples", str(landing)],
        check=True,
        capture_output=True,
    )
    job = defs().resolve_job_def("import_job")
    for name in SAMPLE_FILES:
        assert (landing / name).read_bytes() == (folder / name).read_bytes()
        result = job.execute_in_process(
            run_config={"ops": {"import_file": {"config": {"path": name}}}}
        )
        assert result.success
    assert query(warehouse, "SELECT count(*) FROM raw_data") == [(8 + 11 + 9,)]
