pytest_plugins = ["dagster_etl_lake.fixtures"]
