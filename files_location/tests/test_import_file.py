"""import_job: a landing file named in run config -> checked -> raw_data."""

import os

import dagster as dg
import pytest
from conftest import HEADER, failure_text, put_sample, query

from files_location.defs.file_import import duckdb_table, import_file, valid_share_prices


def run_import(duckdb_resource, path):
    return dg.materialize(
        [import_file, valid_share_prices, duckdb_table],
        resources={"duckdb": duckdb_resource},
        run_config={"ops": {"import_file": {"config": {"path": path}}}},
        raise_on_error=False,
    )


def rows(warehouse, source_file=None):
    sql = "SELECT date::VARCHAR, share_price, source_file FROM raw_data"
    if source_file:
        return query(warehouse, sql + " WHERE source_file = ? ORDER BY date", [source_file])
    return query(warehouse, sql + " ORDER BY source_file, date")


def check_evaluation(result):
    """valid_share_prices, the blocking check on import_file."""
    (evaluation,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "valid_share_prices"
    ]
    return evaluation


def test_imports_the_course_file_with_every_field_quoted(landing, warehouse, duckdb_resource):
    put_sample(landing, "2018-01-22.csv")
    result = run_import(duckdb_resource, "2018-01-22.csv")
    assert result.success
    loaded = rows(warehouse)
    assert len(loaded) == 8
    assert loaded[0] == ("2018-09-19", 299.02, "2018-01-22.csv")
    assert loaded[-1] == ("2018-09-28", 264.77, "2018-01-22.csv")
    assert check_evaluation(result).passed


def test_reimport_replaces_the_files_rows(landing, warehouse, duckdb_resource):
    put_sample(landing, "2018-01-22.csv")
    put_sample(landing, "2018-01-23.csv")
    assert run_import(duckdb_resource, "2018-01-22.csv").success
    assert run_import(duckdb_resource, "2018-01-23.csv").success
    # Same name, new content: its old rows go, the other file's rows stay.
    (landing / "2018-01-22.csv").write_text(HEADER + '"2018/09/30","111.5","1","2","3","4"\n')
    assert run_import(duckdb_resource, "2018-01-22.csv").success
    assert rows(warehouse, "2018-01-22.csv") == [("2018-09-30", 111.5, "2018-01-22.csv")]
    assert len(rows(warehouse, "2018-01-23.csv")) == 11


def test_files_in_subfolders_keep_their_relative_name(landing, warehouse, duckdb_resource):
    (landing / "2018").mkdir()
    put_sample(landing, "2018-01-24.csv", as_name="2018/2018-01-24.csv")
    assert run_import(duckdb_resource, "2018/2018-01-24.csv").success
    assert {row[2] for row in rows(warehouse)} == {"2018/2018-01-24.csv"}


def test_missing_file(landing, warehouse, duckdb_resource):
    result = run_import(duckdb_resource, "2018-01-30.csv")
    assert not result.success
    assert "2018-01-30.csv: no such file in the landing folder" in failure_text(result)
    assert rows(warehouse) == []


def test_empty_file(landing, warehouse, duckdb_resource):
    (landing / "empty.csv").write_bytes(b"")
    result = run_import(duckdb_resource, "empty.csv")
    assert not result.success
    assert "empty.csv: breaks contract rule 'columns': the file is empty" in failure_text(result)
    assert not check_evaluation(result).passed
    assert rows(warehouse) == []


def test_header_only_fails_and_keeps_the_previous_rows(landing, warehouse, duckdb_resource):
    put_sample(landing, "2018-01-22.csv")
    assert run_import(duckdb_resource, "2018-01-22.csv").success
    (landing / "2018-01-22.csv").write_text(HEADER)
    result = run_import(duckdb_resource, "2018-01-22.csv")
    assert not result.success
    assert (
        "2018-01-22.csv: breaks contract rule 'rows': the file has a header but no data rows"
        in (failure_text(result))
    )
    assert len(rows(warehouse, "2018-01-22.csv")) == 8


def test_missing_column(landing, warehouse, duckdb_resource):
    (landing / "short.csv").write_text(
        '"date","share_price","amount","spend","shift"\n"2018/09/28","1","2","3","4"\n'
    )
    result = run_import(duckdb_resource, "short.csv")
    assert not result.success
    assert "short.csv: breaks contract rule 'columns': missing column(s) spread" in failure_text(
        result
    )
    assert not check_evaluation(result).passed
    assert rows(warehouse) == []


def test_extra_column(landing, warehouse, duckdb_resource):
    (landing / "wide.csv").write_text(
        HEADER.rstrip("\n") + ',"note"\n"2018/09/28","1","2","3","4","5","x"\n'
    )
    result = run_import(duckdb_resource, "wide.csv")
    assert not result.success
    assert "wide.csv: breaks contract rule 'columns': unexpected column(s) note" in failure_text(
        result
    )
    assert rows(warehouse) == []


def test_non_numeric_share_price(landing, warehouse, duckdb_resource):
    (landing / "text.csv").write_text(
        HEADER + '"2018/09/28","264.77","1","2","3","4"\n"2018/09/27","n/a","1","2","3","4"\n'
    )
    result = run_import(duckdb_resource, "text.csv")
    assert not result.success
    evaluation = check_evaluation(result)
    assert not evaluation.passed
    assert evaluation.metadata["rule"].value == "types"
    assert evaluation.metadata["offending_row_count"].value == 1
    assert evaluation.metadata["offending_rows"].value == [
        {
            "data_row": 2,
            "date": "2018/09/27",
            "share_price": "n/a",
            "amount": "1",
            "spend": "2",
            "shift": "3",
            "spread": "4",
        }
    ]
    assert rows(warehouse) == []


@pytest.mark.parametrize("price", ["0", "0.0000", "-12.5"])
def test_zero_and_negative_share_price_fail_the_check_and_skip_the_load(
    landing, warehouse, duckdb_resource, price
):
    (landing / "bad.csv").write_text(
        HEADER
        + '"2018/09/28","264.77","1","2","3","4"\n'
        + f'"2018/09/27","{price}","1","2","3","4"\n'
    )
    result = run_import(duckdb_resource, "bad.csv")
    assert not result.success
    evaluation = check_evaluation(result)
    assert not evaluation.passed
    assert [row["share_price"] for row in evaluation.metadata["offending_rows"].value] == [price]
    # Blocking: duckdb_table never ran.
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {dg.AssetKey("import_file")}
    assert "duckdb_table" not in {e.step_key for e in result.get_step_failure_events()}
    assert rows(warehouse) == []


def test_ragged_row(landing, warehouse, duckdb_resource):
    (landing / "ragged.csv").write_text(
        HEADER + '"2018/09/28","264.77","1","2","3","4"\n"2018/09/27","1","2"\n'
    )
    result = run_import(duckdb_resource, "ragged.csv")
    assert not result.success
    text = failure_text(result)
    assert "ragged.csv: breaks contract rule 'row_fields'" in text
    assert "line 3: Expected Number of Columns: 6 Found: 3" in text
    assert rows(warehouse) == []


def test_crlf_line_endings(landing, warehouse, duckdb_resource):
    content = put_sample(landing, "2018-01-23.csv").read_text()
    (landing / "crlf.csv").write_bytes(content.replace("\n", "\r\n").encode())
    assert run_import(duckdb_resource, "crlf.csv").success
    loaded = rows(warehouse, "crlf.csv")
    assert len(loaded) == 11 and loaded[-1] == ("2018-10-15", 259.59, "crlf.csv")


def test_utf8_bom(landing, warehouse, duckdb_resource):
    content = put_sample(landing, "2018-01-23.csv").read_bytes()
    (landing / "bom.csv").write_bytes(b"\xef\xbb\xbf" + content)
    assert run_import(duckdb_resource, "bom.csv").success
    assert len(rows(warehouse, "bom.csv")) == 11


@pytest.mark.parametrize(
    "path", ["../outside.csv", "sub/../../outside.csv", "ABSOLUTE", "link.csv"]
)
def test_path_traversal_is_refused(tmp_path, landing, warehouse, duckdb_resource, path):
    outside = tmp_path / "outside.csv"
    outside.write_bytes(put_sample(landing, "2018-01-22.csv").read_bytes())
    os.symlink(outside, landing / "link.csv")
    if path == "ABSOLUTE":
        path = str(outside)
    result = run_import(duckdb_resource, path)
    assert not result.success
    text = failure_text(result)
    assert any(
        reason in text
        for reason in (
            "'..' is not allowed",
            "absolute paths are not allowed",
            "symlinks are not allowed",
        )
    ), text
    assert rows(warehouse) == []
