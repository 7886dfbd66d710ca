"""landing_folder_sensor: new or replaced CSVs in the landing folder become batches, one run each,
and what the folder does not take is told in the sensor's tick log."""

import time
from datetime import UTC, datetime

import dagster as dg

from files_location import settings
from files_location.defs.landing_batches import import_landing_job, run_config
from files_location.landing import refused
from files_location.landing_watch import Cursor, Limits, plan_tick, run_key, scan

SENSOR_NAME = "landing_folder_sensor"
FILES_TAG = "landing/files"


def _failed_imports(instance: dg.DagsterInstance, after: float) -> tuple[list[str], float]:
    """Lines for the runs this sensor started that failed since `after` (a timestamp), and the
    newest update time seen, so that each failure is told once."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(
            job_name=import_landing_job.name,
            statuses=[dg.DagsterRunStatus.FAILURE],
            tags={"dagster/sensor_name": SENSOR_NAME},
            updated_after=datetime.fromtimestamp(after, UTC),
        )
    )
    lines, newest = [], after
    for record in records:
        run = record.dagster_run
        newest = max(newest, record.update_timestamp.timestamp())
        failures = [
            data
            for event in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
            if (data := event.dagster_event.step_failure_data)
        ]
        user = failures[0].user_failure_data if failures else None
        metadata = user.metadata if user else {}
        if "problem" in metadata:
            what, reason = metadata["file"].value, metadata["problem"].value
        else:
            what = f"a batch of {run.tags.get(FILES_TAG, '?')} file(s)"
            reason = failures[0].error.message.strip() if failures and failures[0].error else "the run failed"
        lines.append(f"{what}: not imported: {reason} (run {run.run_id})")
    return lines, newest


@dg.sensor(
    name=SENSOR_NAME,
    target=import_landing_job,
    minimum_interval_seconds=settings.number(settings.LANDING_SENSOR_INTERVAL_SECONDS),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Imports each new or replaced CSV in the landing folder once it has settled"
    " (unchanged for LANDING_SETTLE_SECONDS), many files per run; tells what it skips.",
)
def landing_folder_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    limits = Limits(
        files_per_batch=settings.number(settings.LANDING_BATCH_MAX_FILES),
        bytes_per_batch=settings.number(settings.LANDING_BATCH_MAX_MB) * 2**20,
        batches_per_tick=settings.number(settings.LANDING_SENSOR_MAX_RUNS_PER_TICK),
    )
    settle_seconds = settings.number(settings.LANDING_SETTLE_SECONDS)
    cursor = Cursor.parse(context.cursor)
    now_ns = time.time_ns()
    tick = plan_tick(scan(settings.landing_dir()), cursor, limits, now_ns=now_ns,
                     settle_ns=settle_seconds * 1_000_000_000)
    for name, reason in tick.not_imported:
        context.log.warning(str(refused(name, reason)))
    # Batches whose run failed (every file refused, or the lake unreachable): told here too, once.
    failures, tick.cursor.failures_after = _failed_imports(
        context.instance, cursor.failures_after if cursor.failures_after is not None else now_ns / 1e9
    )
    for line in failures:
        context.log.warning(line)
    for batch in tick.batches:
        first, last = batch[0][0], batch[-1][0]
        shown = f"{first} ... {last}" if len(batch) > 1 else first
        context.log.info(f"a batch of {len(batch)} file(s): {shown}")
    if tick.waiting:
        context.log.info(f"{tick.waiting} ready file(s) left for the next ticks"
                         f" ({limits.batches_per_tick} batches per tick)")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=run_key(batch), run_config=run_config(batch),
                          tags={FILES_TAG: str(len(batch))})
            for batch in tick.batches
        ],
        cursor=tick.cursor.serialize(),
    )
