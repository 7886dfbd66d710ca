"""dlt_csv_assets: the dlt version of the import, downstream of import_file, into the lake."""

import os
import subprocess
import sys

import dagster as dg
import pytest
from conftest import HEADER, failure_text, put_sample, query, run_dlt
from dagster_dlt import build_dlt_asset_specs
from dagster_dlt.constants import META_KEY_PIPELINE, META_KEY_SOURCE, META_KEY_TRANSLATOR

from files_location import dlt_sources
from files_location.defs.dlt_csv import dlt_csv_assets, dlt_simple_assets
from files_location.dlt_resource import DltRunner


@pytest.mark.parametrize(
    "assets, source, translator",
    [
        (dlt_csv_assets, dlt_sources.csv_source, dlt_sources.CustomDagsterDltTranslator()),
        (dlt_simple_assets, dlt_sources.simple_source, None),
    ],
)
def test_specs_written_out_are_what_dagster_dlt_builds(tmp_path, assets, source, translator):
    built = build_dlt_asset_specs(
        dlt_source=source(),
        dlt_pipeline=dlt_sources.csv_pipeline(str(tmp_path)),
        dagster_dlt_translator=translator,
    )
    objects = (META_KEY_SOURCE, META_KEY_PIPELINE, META_KEY_TRANSLATOR)  # run-time objects
    expected = [
        spec.replace_attributes(
            metadata={k: v for k, v in spec.metadata.items() if k not in objects},
            group_name="dlt",
        )
        for spec in built
    ]
    assert list(assets.specs) == expected


def run_quick_start():
    return dg.materialize([dlt_simple_assets], resources={"dlt": DltRunner()})


def test_course_quick_start_loads_the_dicts_and_a_rerun_replaces_them(warehouse):
    for _ in range(2):
        result = run_quick_start()
        assert result.success
        (materialization,) = result.get_asset_materialization_events()
        assert materialization.asset_key == dg.AssetKey("dlt_simple_source_load_dict")
    assert query(warehouse, "SELECT id, name FROM simple.load_dict ORDER BY id") == [
        (1, "Alice"),
        (2, "Bob"),
        (3, "Charlie"),
    ]


def test_translator_makes_dlt_assets_depend_on_import_file():
    (spec,) = dlt_csv_assets.specs
    assert spec.key == dg.AssetKey("dlt_csv_source_load_csv")
    assert {dep.asset_key for dep in spec.deps} == {dg.AssetKey("import_file")}
    assert dlt_csv_assets.op.pool == "lake/csv_data.load_csv"


def test_loads_rows_and_reloading_a_file_replaces_them(landing, warehouse):
    put_sample(landing, "2018-01-22.csv")
    put_sample(landing, "2018-01-23.csv")
    for path in ("2018-01-22.csv", "2018-01-23.csv", "2018-01-22.csv"):
        assert run_dlt(path).success
    table = "csv_data.load_csv"
    assert query(warehouse, f"SELECT source_file, count(*) FROM {table} GROUP BY 1 ORDER BY 1") == [
        ("2018-01-22.csv", 8),
        ("2018-01-23.csv", 11),
    ]
    assert query(
        warehouse, f"SELECT date::VARCHAR, share_price FROM {table} ORDER BY date DESC LIMIT 1"
    ) == [("2018-10-15", 259.59)]


def test_malformed_file_fails_naming_the_file_and_loads_nothing(landing, warehouse):
    (landing / "bad.csv").write_text(HEADER + '"2018/09/28","1.5","1","2","3"\n')
    result = run_dlt("bad.csv")
    assert not result.success
    text = failure_text(result)
    assert "bad.csv: breaks contract rule 'row_fields'" in text
    assert "line 2: Expected Number of Columns: 6 Found: 5" in text
    assert query(warehouse, "SELECT count(*) FROM csv_data.load_csv") in ([], [(0,)])


RUN_ONE = """
import dagster as dg
from files_location.defs.file_import import import_file
from files_location.defs.dlt_csv import dlt_csv_assets
from files_location.dlt_resource import DltRunner
result = dg.materialize(
    [import_file, dlt_csv_assets],
    resources={"dlt": DltRunner()},
    run_config={"ops": {"import_file": {"config": {"path": "prices.csv"}}}},
)
assert result.success
"""


def test_two_runs_at_once_keep_their_own_dlt_state(tmp_path):
    # Two runs started together, each loading its own file into its own warehouse: with shared
    # dlt state one run would pick up the other's pending load package.
    runs = []
    for sample in ("2018-01-22.csv", "2018-01-23.csv"):
        root = tmp_path / sample
        (root / "landing").mkdir(parents=True)
        (root / "warehouse").mkdir()
        put_sample(root / "landing", sample, as_name="prices.csv")
        env = dict(
            os.environ, LANDING_DIR=str(root / "landing"), WAREHOUSE_DIR=str(root / "warehouse")
        )
        runs.append(
            subprocess.Popen(
                [sys.executable, "-c", RUN_ONE],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr.decode()[-2000:]
    for sample, rows in (("2018-01-22.csv", 8), ("2018-01-23.csv", 11)):
        assert query(tmp_path / sample / "warehouse", "SELECT count(*) FROM csv_data.load_csv") == [(rows,)]
