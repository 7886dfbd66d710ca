"""lake_maintenance: DuckLake's maintenance over the whole lake, every hour by default (RUNNING
from the start: a deployment left alone for months needs it most).

Small loads are kept in the catalog (dagster_etl_lake.settings.INLINING_ROW_LIMIT) and written out
here as one Parquet file per table; files are merged, old snapshots expired and the files only
they read deleted (dagster_etl_lake.maintenance says in which order, and why).
"""

from dataclasses import asdict

import dagster as dg

from dagster_etl_lake import LakeResource
from dagster_etl_lake.maintenance import maintain
from maintenance_location import settings


@dg.op(pool=settings.MAINTENANCE_POOL, retry_policy=dg.RetryPolicy(max_retries=2, delay=30))
def maintain_lake(context: dg.OpExecutionContext, lake: LakeResource) -> dg.Output[None]:
    retention = settings.snapshot_retention()
    with lake.get_connection() as conn:
        report = maintain(conn, keep_snapshots=retention)
    summary = asdict(report)
    context.log.info(
        f"lake maintenance: {report.inlined_rows_flushed} inlined rows written out,"
        f" {report.files_merged} files merged, {report.files_rewritten} rewritten,"
        f" {report.snapshots_expired} snapshots older than {retention.days} days expired,"
        f" {report.files_deleted} files deleted; {report.data_files} data files and"
        f" {report.snapshots} snapshots remain"
    )
    return dg.Output(None, metadata={**{k: v for k, v in summary.items() if k != "seconds"},
                                     "seconds": dg.MetadataValue.json(report.seconds),
                                     "snapshot_retention_days": retention.days})


@dg.job(description="Merges the lake's small files, expires snapshots older than"
        f" ${settings.LAKE_SNAPSHOT_RETENTION_DAYS} days and deletes the files no kept snapshot reads.")
def lake_maintenance():
    maintain_lake()


@dg.definitions
def lake_maintenance_schedule() -> dg.Definitions:
    # A function, so the cron is read each time the location loads.
    return dg.Definitions(jobs=[lake_maintenance], schedules=[dg.ScheduleDefinition(
        name="lake_maintenance_schedule", job=lake_maintenance,
        cron_schedule=settings.cron(settings.LAKE_MAINTENANCE_CRON),
        default_status=dg.DefaultScheduleStatus.RUNNING)])
