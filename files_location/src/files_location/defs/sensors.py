"""landing_folder_sensor: new or replaced CSVs in the landing folder become dynamic partitions."""

import os

import dagster as dg

from files_location.defs.dynamic_partitions import import_dynamic_partition_job, landing_files
from files_location.landing import landing_dir
from files_location.landing_watch import Cursor, plan_tick, run_key, scan


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    number = int(value)
    if number < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return number


@dg.sensor(
    target=import_dynamic_partition_job,
    minimum_interval_seconds=_int_env("LANDING_SENSOR_INTERVAL_SECONDS", 30),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Imports each new or replaced CSV in the landing folder once it stops changing.",
)
def landing_folder_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    max_runs = _int_env("LANDING_SENSOR_MAX_RUNS_PER_TICK", 100)
    tick = plan_tick(scan(landing_dir()), Cursor.parse(context.cursor), max_runs)

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
