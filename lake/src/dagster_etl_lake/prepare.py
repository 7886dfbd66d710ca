"""The init service's step for the lake, before any location runs:

    python -m dagster_etl_lake.prepare

- the first ATTACH creates the catalog (here, once, rather than by several first writers at once);
- small inserts are kept in the catalog (settings.INLINING_ROW_LIMIT), not a Parquet file each;
- the tables of the DuckDB files of an earlier release are copied in (migration.py).
"""

from dagster_etl_lake.attach import connect
from dagster_etl_lake.migration import migrate_folder
from dagster_etl_lake.settings import ALIAS, INLINING_ROW_LIMIT, lake_settings, warehouse_dir


def prepare() -> list[str]:
    settings = lake_settings()
    lines = []
    with connect(settings) as conn:
        conn.execute(f"CALL {ALIAS}.set_option('data_inlining_row_limit', {INLINING_ROW_LIMIT})")
        lines.append(f"lake: catalog {settings.metadata}, data in {settings.data_path}")
        for done in migrate_folder(conn, warehouse_dir()):
            rows = sum(done.tables.values())
            lines.append(f"lake: copied {done.file} ({len(done.tables)} tables, {rows} rows) into the lake;"
                         f" the file is kept as it was")
    return lines


if __name__ == "__main__":
    for line in prepare():
        print(line)
