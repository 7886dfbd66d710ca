"""DltRunner: dagster-dlt's DagsterDltResource, imported when a run loads with it.

Importing dagster_dlt imports dlt (about 1.3 s); the definitions and every other asset's runs
do without it.
"""

import dagster as dg


class DltRunner(dg.ConfigurableResource):
    """The course's `dlt` resource (dagster_dlt's DagsterDltResource), imported when used."""

    def run(self, context: dg.AssetExecutionContext, **kwargs):
        from dagster_dlt import DagsterDltResource, DagsterDltTranslator

        kwargs.setdefault("dagster_dlt_translator", DagsterDltTranslator())
        return DagsterDltResource().run(context=context, **kwargs)
