import datetime as dt

import dagster as dg

from api_location.defs.asteroids import date_range_schedule


def test_the_tick_loads_the_previous_day(defs):
    tick = dt.datetime(2025, 4, 10, 6, 0, tzinfo=dt.UTC)
    context = dg.build_schedule_context(scheduled_execution_time=tick)
    [request] = date_range_schedule.evaluate_tick(context).run_requests
    assert request.run_config == {"ops": {"asteroids": {"config": {"date": "2025-04-09"}}}}
    assert request.run_key == "2025-04-09"
    assert date_range_schedule.cron_schedule == "0 6 * * *"
    assert date_range_schedule.job_name == "asteroid_job"
    # running from the start: a fresh deployment loads yesterday every morning
    assert date_range_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    # the config the schedule produces is valid for the job it launches
    assert dg.validate_run_config(defs.resolve_job_def("asteroid_job"), request.run_config)


def test_the_first_tick_of_a_month_loads_the_last_day_of_the_previous_month():
    tick = dt.datetime(2025, 3, 1, 6, 0, tzinfo=dt.UTC)
    context = dg.build_schedule_context(scheduled_execution_time=tick)
    [request] = date_range_schedule.evaluate_tick(context).run_requests
    assert request.run_config["ops"]["asteroids"]["config"]["date"] == "2025-02-28"
