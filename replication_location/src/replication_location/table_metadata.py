"""The metadata a DuckDB-engine materialization carries: what dagster-sling reports for a stream
(row count, column schema in Sling's general types, column lineage, table name, storage kind), so
that the UI shows the same whichever engine copied the table."""

from collections.abc import Mapping, Set
from typing import Any

import dagster as dg
from dagster._core.definitions.metadata.metadata_set import TableMetadataSet
from dagster_sling.sling_event_iterator import SLING_COLUMN_PREFIX  # Sling's own columns: no upstream

from replication_location.duckdb_engine import StreamResult

# DuckDB type -> the "General Type" Sling reports for a column its DuckLake target wrote.
SLING_GENERAL_TYPES = {
    "TINYINT": "smallint",
    "SMALLINT": "integer",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "bigint",
    "FLOAT": "float",
    "DOUBLE": "float",
    "BOOLEAN": "bool",
    "VARCHAR": "text",
    "BLOB": "binary",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestampz",
    "UUID": "uuid",
    "JSON": "json",
}


def general_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return "decimal"
    return SLING_GENERAL_TYPES.get(duckdb_type, duckdb_type.lower())


def table_metadata(target: str, stream_definition: Mapping[str, Any], result: StreamResult,
                   upstream: Set[dg.AssetKey]) -> dict[str, Any]:
    names = [name.lower() for name, _ in result.columns]
    lineage = None
    if len(upstream) == 1:  # the stream's source table, copied column for column
        [source] = upstream
        lineage = dg.TableColumnLineage(deps_by_column={
            name: [dg.TableColumnDep(asset_key=source, column_name=name)]
            for name in names if not name.startswith(SLING_COLUMN_PREFIX)})
    obj = (stream_definition.get("config") or {}).get("object")
    return {
        "stream_name": stream_definition["name"],
        **TableMetadataSet(
            row_count=result.rows,
            storage_kind=target,
            table_name=f"{target}.{obj or stream_definition['name']}",
            column_schema=dg.TableSchema(columns=[
                dg.TableColumn(name=name.lower(), type=general_type(type_))
                for name, type_ in result.columns]),
            column_lineage=lineage,
        ),
    }
