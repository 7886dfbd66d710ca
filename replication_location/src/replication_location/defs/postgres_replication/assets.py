"""The replicated Postgres tables as assets, one per stream of replication.yaml.

Streams are copied by Sling (op `postgres_tables`) unless their `meta` says `engine: duckdb`; those
are copied by DuckDB's postgres extension (op `postgres_tables_duckdb`). Either way an asset has the
key, group and upstream the Sling translator gives its stream, writes the same table of the lake,
and reports the same metadata, so jobs, schedules and automation do not see the switch.
"""

import time
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource
from dagster_sling import DagsterSlingTranslator, SlingResource, sling_assets
from dagster_sling.asset_decorator import get_streams_from_replication, streams_with_default_dagster_meta

from dagster_etl_lake.attach import identifier
from replication_location import duckdb_engine, replication_config
from replication_location.defs.resources import SourcePostgresResource
from replication_location.settings import DUCKDB_ENGINE_POOL, SLING_POOL
from replication_location.table_metadata import table_metadata

REPLICATION_CONFIG = Path(__file__).parent / "replication.yaml"
ENGINE_METADATA = "replication_engine"


def _definitions_by_key(config: dict) -> dict[dg.AssetKey, dict]:
    translator = DagsterSlingTranslator()
    return {translator.get_asset_spec(definition).key: definition
            for definition in streams_with_default_dagster_meta(get_streams_from_replication(config), config)}


def _sling_tables(config: dict) -> dg.AssetsDefinition:
    definitions = _definitions_by_key(config)
    targets = replication_config.sling_targets(config)

    @sling_assets(replication_config=config, name="postgres_tables", pool=SLING_POOL)
    def postgres_tables(context: dg.AssetExecutionContext, sling: SlingResource, duckdb: DuckDBResource):
        # Column types and row counts come from the lake table Sling just wrote, so the UI shows
        # the replicated schema (including columns added at the source), read as the DuckDB
        # engine reads them. Not dagster-sling's fetch_column_metadata/fetch_row_count: they ask
        # `sling conns discover`, whose DuckDB child once hung for good after the copy, holding
        # the Sling pool (CI, 2026-12-06).
        events = list(sling.replicate(context=context))
        with duckdb.get_connection() as conn:
            for event in events:
                definition = definitions[event.asset_key]
                schema, table = targets[definition["name"]]
                result = duckdb_engine.table_result(conn, f"{identifier(schema)}.{identifier(table)}")
                metadata = table_metadata(config["target"], definition, result,
                                          context.assets_def.asset_deps[event.asset_key])
                yield event._replace(metadata={**event.metadata, **metadata,
                                               ENGINE_METADATA: replication_config.SLING})

    return postgres_tables


def _duckdb_tables(config: dict) -> dg.AssetsDefinition:
    translator = DagsterSlingTranslator()
    streams = {stream.name: stream for stream in replication_config.duckdb_streams(config)}
    specs, stream_by_key = [], {}
    for definition in _definitions_by_key(config).values():
        spec = translator.get_asset_spec(definition).replace_attributes(kinds={"duckdb"}, skippable=True)
        specs.append(spec)
        stream_by_key[spec.key] = (streams[definition["name"]], definition)

    @dg.multi_asset(name="postgres_tables_duckdb", specs=specs, pool=DUCKDB_ENGINE_POOL, can_subset=True)
    def postgres_tables_duckdb(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, source_postgres: SourcePostgresResource
    ):
        loaded_at = datetime.now(UTC)  # one value per run, as Sling writes it
        with duckdb.get_connection() as conn:
            duckdb_engine.attach_source(conn, source_postgres.settings())
            try:
                for key, (stream, definition) in stream_by_key.items():
                    if key not in context.selected_asset_keys:
                        continue
                    started = time.time()
                    result = duckdb_engine.replicate(conn, stream, loaded_at)
                    context.log.info(f"{stream.name}: {result.written} rows written,"
                                     f" {result.rows} in {stream.target_schema}.{stream.target_table}")
                    metadata = table_metadata(config["target"], definition, result,
                                              context.assets_def.asset_deps[key])
                    yield dg.MaterializeResult(asset_key=key, metadata={
                        "elapsed_time": time.time() - started, **metadata,
                        ENGINE_METADATA: replication_config.DUCKDB})
            finally:
                # The process's lake session outlives the step; the source does not.
                duckdb_engine.detach_source(conn)

    return postgres_tables_duckdb


@dg.definitions
def postgres_replication() -> dg.Definitions:
    config = replication_config.load(REPLICATION_CONFIG)
    assets = []
    if sling_config := replication_config.with_streams(config, replication_config.SLING):
        assets.append(_sling_tables(sling_config))
    if duckdb_config := replication_config.with_streams(config, replication_config.DUCKDB):
        assets.append(_duckdb_tables(duckdb_config))
    return dg.Definitions(assets=assets)
