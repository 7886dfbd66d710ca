"""The Sling component, with its assets in the op's concurrency pool, and the lake as a template
variable of its defs.yaml (`{{ lake_target }}`: the same connection the Python replication uses).

dagster-sling 0.29's SlingReplicationCollectionComponent accepts `op.pool` in defs.yaml but does
not pass it to `@sling_assets`, so its runs would write the lake outside their pool. This
subclass adds that argument.
"""

from dataclasses import dataclass
from pathlib import Path

from dagster import AssetExecutionContext, AssetsDefinition, template_var
from dagster.components import ComponentLoadContext
from dagster.components.resolved.core_models import OpSpec
from dagster_sling import SlingReplicationCollectionComponent, sling_assets
from dagster_sling.components.sling_replication_collection.component import (
    SlingComponentTranslator,
    SlingReplicationSpecModel,
)


@dataclass
class PooledSlingReplicationCollectionComponent(SlingReplicationCollectionComponent):
    @staticmethod
    @template_var
    def lake_target() -> dict:
        from replication_location.defs.resources import lake_target

        return lake_target()

    def build_asset(
        self, context: ComponentLoadContext, replication_spec_model: SlingReplicationSpecModel
    ) -> AssetsDefinition:
        op_spec = replication_spec_model.op or OpSpec()

        @sling_assets(
            name=op_spec.name or Path(replication_spec_model.path).stem,
            op_tags=op_spec.tags,
            replication_config=context.path / replication_spec_model.path,
            dagster_sling_translator=SlingComponentTranslator(
                self, replication_spec_model, context.path
            ),
            backfill_policy=op_spec.backfill_policy,
            pool=op_spec.pool,
        )
        def _asset(context: AssetExecutionContext):
            yield from self.execute(
                context=context, sling=self.sling_resource, replication_spec_model=replication_spec_model
            )

        return _asset
