"""DltResource: dagster-dlt's DagsterDltResource, imported when a run loads with it.

Importing dagster_dlt imports dlt (about 1.3 s); the definitions and every other asset's runs
do without it.
"""

from typing import Any

import dagster as dg


class DltResource(dg.ConfigurableResource):
    """Runs a dlt pipeline for a dlt asset, like DagsterDltResource.run."""

    def run(
        self,
        context: dg.AssetExecutionContext,
        dlt_source: Any,
        dlt_pipeline: Any,
        dagster_dlt_translator: Any,
        **kwargs: Any,
    ):
        from dagster_dlt import DagsterDltResource

        return DagsterDltResource().run(
            context=context,
            dlt_source=dlt_source,
            dlt_pipeline=dlt_pipeline,
            dagster_dlt_translator=dagster_dlt_translator,
            **kwargs,
        )
