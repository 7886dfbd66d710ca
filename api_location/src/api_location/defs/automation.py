"""Evaluates the location's automation conditions (dlt_nasa_partition on cron, the Hacker News
refresh) from the moment the location loads. Dagster's implicit default automation sensor starts
stopped, so conditions would silently never fire in a fresh deployment."""

import dagster as dg

api_automation_sensor = dg.AutomationConditionSensorDefinition(
    "api_automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
)
