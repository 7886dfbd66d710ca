"""dlt's ducklake destination writes the deployment's lake, the one every other writer and reader
uses, not a lake of its own."""

import os

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt  # noqa: E402

from dagster_etl_lake import connect  # noqa: E402
from dagster_etl_lake.dlt_destination import ducklake_destination  # noqa: E402
from dagster_etl_lake.settings import READER  # noqa: E402


@dlt.resource(name="near_earth_objects", primary_key="id", merge_key="day",
              write_disposition={"disposition": "merge", "strategy": "delete-insert"})
def objects(day: str, count: int):
    yield [{"id": f"{day}-{i}", "day": day, "size": i} for i in range(count)]


def test_a_dlt_pipeline_merges_into_the_lake_the_other_writers_and_readers_use(lake, tmp_path):
    with connect() as conn:  # another writer's table in the same lake
        conn.execute("CREATE SCHEMA api")
        conn.execute("CREATE TABLE api.raw_asteroid_data AS SELECT 1 AS id")
    pipeline = dlt.pipeline(pipeline_name="nasa", destination=ducklake_destination(), dataset_name="nasa_neo",
                            pipelines_dir=str(tmp_path / "pipelines"))
    info = pipeline.run(objects("2025-04-01", 5))
    pipeline.run(objects("2025-04-01", 3))  # the day again: replaced, not added
    pipeline.run(objects("2025-04-02", 4))
    assert not info.has_failed_jobs
    assert "password" not in str(info).lower()
    with connect(lake.as_role(READER), read_only=True) as reader:
        assert reader.sql("SELECT day, count(*) FROM nasa_neo.near_earth_objects GROUP BY day ORDER BY day"
                          ).fetchall() == [("2025-04-01", 3), ("2025-04-02", 4)]
        assert reader.sql("SELECT count(*) FROM api.raw_asteroid_data").fetchone() == (1,)
