"""asteroids -> asteroids_file (staging CSV) -> raw_asteroid_data (DuckDB), asteroid_job, and
date_range_schedule, which runs it for the day before every morning."""

import csv
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from api_location import settings
from api_location.asteroid_rows import COLUMNS, asteroid_rows
from api_location.nasa_client import NASAResource
from api_location.nasa_date import NasaDate
from api_location.warehouse import replace_days_from_csv
from dagster_etl_lake.policies import LOAD_RETRY

TABLE = "raw_asteroid_data"


@dg.asset(group_name="nasa", kinds={"python"})
def asteroids(
    context: dg.AssetExecutionContext, config: NasaDate, nasa: NASAResource
) -> dict[str, list[dict[str, Any]]]:
    """Near-earth objects of the configured day(s) from NASA's NeoWs feed, keyed by
    close-approach date."""
    feed = nasa.get_feed(start_date=config.date, end_date=config.last_date)
    count = sum(len(objects) for objects in feed.values())
    context.add_output_metadata(
        {"date": config.date, "end_date": config.last_date, "objects": count}
    )
    return feed


@dg.asset(group_name="nasa", kinds={"csv"})
def asteroids_file(
    context: dg.AssetExecutionContext, asteroids: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """The day's objects as a staging CSV, in a folder of this run so runs never share a file."""
    path = settings.warehouse_dir() / "staging" / context.run.run_id / "asteroids.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS))
        writer.writeheader()
        for row in asteroid_rows(asteroids):
            writer.writerow(row)
            rows += 1
    context.add_output_metadata({"staging_csv": dg.MetadataValue.path(str(path)), "rows": rows})
    return {"path": str(path), "dates": sorted(asteroids)}


@dg.asset(group_name="nasa", kinds={"duckdb"}, retry_policy=LOAD_RETRY)
def raw_asteroid_data(
    context: dg.AssetExecutionContext, asteroids_file: dict[str, Any], duckdb: DuckDBResource
) -> dg.MaterializeResult:
    """The staged days in the lake; loading a day again replaces its rows (one transaction)."""
    path = Path(asteroids_file["path"])
    with duckdb.get_connection() as conn:
        inserted = replace_days_from_csv(conn, TABLE, asteroids_file["dates"], path)
        total = conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
    # The load is committed; the run's staging folder has served its purpose.
    shutil.rmtree(path.parent, ignore_errors=True)
    context.log.info(f"{TABLE}: {inserted} rows for {', '.join(asteroids_file['dates'])}")
    return dg.MaterializeResult(
        metadata={"dates": asteroids_file["dates"], "rows_loaded": inserted, "table_rows": total}
    )


asteroid_job = dg.define_asset_job(
    "asteroid_job",
    selection=[asteroids, asteroids_file, raw_asteroid_data],
    description="Load a day of near-earth objects: run config ops.asteroids.config.date "
    "(and optionally end_date for a range).",
)


@dg.schedule(
    cron_schedule=settings.cron(settings.DATE_RANGE_SCHEDULE_CRON),
    job=asteroid_job,
    execution_timezone="UTC",
    # Loading yesterday every morning is what the deployment is for: running from the start.
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def date_range_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Every morning, load the day before the tick (a complete day of close approaches)."""
    previous_day = (context.scheduled_execution_time - dt.timedelta(days=1)).strftime("%Y-%m-%d")
    return dg.RunRequest(
        run_key=previous_day,
        run_config={"ops": {"asteroids": {"config": {"date": previous_day}}}},
        tags={"nasa/date": previous_day},
    )
