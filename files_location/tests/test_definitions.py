"""The location as the deployment loads it: names from CONTRACT.md, pools only where DuckLake needs
them, and retries of loads that failed for a reason outside the file."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
from conftest import HEADER, put_sample, query

from dagster_etl_lake.policies import LOAD_RETRY
from files_location import defs as defs_package
from files_location.definitions import defs, defs_modules

WRITERS = {
    "duckdb_table",
    "duckdb_partition_table",
    "duckdb_landing_table",
    "duckdb_table_s3",
    "dlt_csv_source_load_csv",
    "dlt_simple_source_load_dict",
}


def test_contract_names():
    definitions = defs()
    import_job = definitions.resolve_job_def("import_job")
    assert {key.to_user_string() for key in import_job.asset_layer.executable_asset_keys} == {
        "import_file",
        "duckdb_table",
    }
    assert (
        definitions.resolve_sensor_def("landing_folder_sensor").job_name
        == "import_landing_job"
    )
    assert definitions.resolve_schedule_def("import_partition_schedule")


def test_only_dlts_upserting_writers_take_a_pool_and_every_writer_retries_outside_failures():
    graph = defs().resolve_asset_graph()
    pools, retries = {}, {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if "duckdb" in node.kinds or key.to_user_string().startswith("dlt_"):
            pools[key.to_user_string()] = node.assets_def.op.pool
            retries[key.to_user_string()] = node.assets_def.op.retry_policy
    # The file loads delete and insert their own file's rows: side by side, a conflict is retried.
    assert pools == {
        **dict.fromkeys(WRITERS - {"dlt_csv_source_load_csv", "dlt_simple_source_load_dict"}),
        "dlt_csv_source_load_csv": "lake/csv_data.load_csv",
        "dlt_simple_source_load_dict": "lake/simple.load_dict",
    }
    assert retries == dict.fromkeys(WRITERS, LOAD_RETRY)


def run_contract_job(path):
    # Exactly what the deployment test launches, resources as the code location binds them.
    job = defs().resolve_job_def("import_job")
    return job.execute_in_process(
        run_config={"ops": {"import_file": {"config": {"path": path}}}}, raise_on_error=False
    )


def test_import_job_as_launched_by_the_deployment(landing, warehouse):
    put_sample(landing, "2018-01-24.csv")
    result = run_contract_job("2018-01-24.csv")
    assert result.success
    assert [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [
        ("valid_share_prices", True),
        ("share_price_contract", True),
    ]
    assert query(warehouse, "SELECT count(*) FROM raw_data") == [(9,)]


def test_import_job_blocks_on_the_share_price_check(landing, warehouse):
    (landing / "zero.csv").write_text(HEADER + '"2018/10/26","0","1","2","3","4"\n')
    result = run_contract_job("zero.csv")
    assert not result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.description.startswith("zero.csv: breaks contract rule 'share_price'")
    assert query(warehouse, "SELECT count(*) FROM raw_data") == []


def test_loading_the_definitions_does_not_import_dlt():
    # dlt costs about a second of every code-server start and every run; only runs that
    # materialize a dlt asset import it.
    code = (
        "import sys; from files_location.definitions import defs; d = defs();"
        " d.resolve_asset_graph(); d.resolve_job_def('import_job');"
        " print(sorted(m for m in ('dlt', 'dagster_dlt') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr[-2000:]


def test_every_defs_module_is_loaded():
    files = sorted(
        p.stem for p in Path(defs_package.__path__[0]).glob("*.py") if p.stem != "__init__"
    )
    assert [m.__name__.rsplit(".", 1)[1] for m in defs_modules()] == files
    assert files == sorted(info.name for info in pkgutil.iter_modules(defs_package.__path__))
    definitions = defs()
    graph = definitions.resolve_asset_graph()
    # What each module declares is in the location.
    for module in defs_modules():
        for value in vars(module).values():
            if isinstance(value, dg.AssetsDefinition):
                assert set(value.keys) <= set(graph.get_all_asset_keys()), module.__name__
            if isinstance(value, dg.SensorDefinition):
                assert definitions.resolve_sensor_def(value.name)
            if isinstance(value, dg.ScheduleDefinition):
                assert definitions.resolve_schedule_def(value.name)
    assert set(definitions.resources) == {"duckdb", "s3", "dlt"}
