"""landing_folder_sensor: new or replaced CSVs in the landing folder become dynamic partitions,
and what the folder does not take is told in the sensor's tick log."""

import time
from datetime import UTC, datetime

import dagster as dg

from files_location import settings
from files_location.defs.dynamic_partitions import import_dynamic_partition_job, landing_files
from files_location.landing import refused
from files_location.landing_watch import Cursor, plan_tick, run_key, scan

SENSOR_NAME = "landing_folder_sensor"


def _failed_imports(instance: dg.DagsterInstance, after: float) -> tuple[list[str], float]:
    """Lines for the runs this sensor started that failed since `after` (a timestamp), and the
    newest update time seen, so that each failure is told once."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(
            job_name=import_dynamic_partition_job.name,
            statuses=[dg.DagsterRunStatus.FAILURE],
            tags={"dagster/sensor_name": SENSOR_NAME},
            updated_after=datetime.fromtimestamp(after, UTC),
        )
    )
    lines, newest = [], after
    for record in records:
        run = record.dagster_run
        newest = max(newest, record.update_timestamp.timestamp())
        file = run.tags.get("dagster/partition", "?")
        reasons = [
            (data.user_failure_data.metadata.get("problem").value)
            if data.user_failure_data and "problem" in data.user_failure_data.metadata
            else (data.error.message.strip() if data.error else "the run failed")
            for event in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
            if (data := event.dagster_event.step_failure_data)
        ]
        reason = reasons[0] if reasons else f"run {run.run_id} failed"
        lines.append(f"{file}: not imported: {reason} (run {run.run_id})")
    return lines, newest


@dg.sensor(
    name=SENSOR_NAME,
    target=import_dynamic_partition_job,
    minimum_interval_seconds=settings.number(settings.LANDING_SENSOR_INTERVAL_SECONDS),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Imports each new or replaced CSV in the landing folder once it has settled"
    " (LANDING_SETTLE_SECONDS old, or unchanged since the last tick); tells what it skips.",
)
def landing_folder_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    max_runs = settings.number(settings.LANDING_SENSOR_MAX_RUNS_PER_TICK)
    settle_seconds = settings.number(settings.LANDING_SETTLE_SECONDS)
    cursor = Cursor.parse(context.cursor)
    now_ns = time.time_ns()
    tick = plan_tick(
        scan(settings.landing_dir()),
        cursor,
        max_runs,
        now_ns=now_ns,
        settle_ns=settle_seconds * 1_000_000_000,
    )
    for name, reason in tick.not_imported:
        context.log.warning(str(refused(name, reason)))
    # Files the runs refused (the contract): told here too, once per failed run.
    failures, tick.cursor.failures_after = _failed_imports(
        context.instance, cursor.failures_after if cursor.failures_after is not None else now_ns / 1e9
    )
    for line in failures:
        context.log.warning(line)

    known = set(context.instance.get_dynamic_partitions(landing_files.name))
    new_keys = [name for name, _ in tick.ready if name not in known]
    if tick.waiting:
        context.log.info(f"{tick.waiting} ready file(s) left for the next ticks (cap {max_runs})")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=run_key(name, version), partition_key=name)
            for name, version in tick.ready
        ],
        dynamic_partitions_requests=[landing_files.build_add_request(new_keys)] if new_keys else [],
        cursor=tick.cursor.serialize(),
    )
