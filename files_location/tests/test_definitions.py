"""The location as the deployment loads it: names from CONTRACT.md and the one-writer pool."""

import dagster as dg

from files_location.definitions import defs

WRITERS = {
    "duckdb_table",
    "duckdb_partition_table",
    "duckdb_dynamic_partition_table",
    "duckdb_table_s3",
    "dlt_csv_source_load_csv",
}


def test_contract_names():
    definitions = defs()
    import_job = definitions.resolve_job_def("import_job")
    assert {key.to_user_string() for key in import_job.asset_layer.executable_asset_keys} == {
        "import_file",
        "duckdb_table",
    }
    assert definitions.resolve_sensor_def("landing_folder_sensor").job_name == "import_dynamic_partition_job"
    assert definitions.resolve_schedule_def("import_partition_schedule")


def test_every_duckdb_writer_is_in_the_files_duckdb_pool():
    graph = defs().resolve_asset_graph()
    pools = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if "duckdb" in node.kinds or key.to_user_string().startswith("dlt_"):
            pools[key.to_user_string()] = node.assets_def.op.pool
    assert pools == {name: "files_duckdb" for name in WRITERS}
