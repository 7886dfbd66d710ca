import datetime as dt

import dagster as dg

from api_location.defs.asteroids import asteroid_job


@dg.schedule(cron_schedule="0 6 * * *", job=asteroid_job, execution_timezone="UTC")
def date_range_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Every morning, load the day before the tick (a complete day of close approaches)."""
    previous_day = (context.scheduled_execution_time - dt.timedelta(days=1)).strftime("%Y-%m-%d")
    return dg.RunRequest(
        run_key=previous_day,
        run_config={"ops": {"asteroids": {"config": {"date": previous_day}}}},
        tags={"nasa/date": previous_day},
    )
