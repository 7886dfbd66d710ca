"""Evaluates daily_revenue_by_product's eager condition (refresh after the noon and 18:00 orders
runs) from the moment the location loads. Dagster's implicit default automation sensor starts
stopped, so the condition would silently never fire in a fresh deployment."""

import dagster as dg

replication_automation_sensor = dg.AutomationConditionSensorDefinition(
    "replication_automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
)
