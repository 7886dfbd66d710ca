"""Which engine copies each stream of a replication.yaml, and the streams the DuckDB engine copies.

A stream is copied by Sling unless its `meta` (or the `defaults` block's) says `engine: duckdb`:

    data.orders:
      mode: incremental
      primary_key: [order_id]
      update_key: order_date
      meta:
        engine: duckdb

Everything else in the file keeps Sling's meaning, so that switching a stream is that one line and
the DuckDB engine writes the table Sling would. Settings the engine does not implement are refused
when the location loads, naming the stream and the setting, instead of being silently ignored.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SLING, DUCKDB = "sling", "duckdb"
ENGINES = (SLING, DUCKDB)
FULL_REFRESH, INCREMENTAL = "full-refresh", "incremental"
# Sling's name for the column it adds when the replication's env sets SLING_LOADED_AT_COLUMN.
LOADED_AT_COLUMN = "_sling_loaded_at"
# Stream settings the DuckDB engine honours; `sql` only in the one form it implements (below).
DUCKDB_STREAM_KEYS = {"mode", "object", "primary_key", "update_key", "sql", "meta", "disabled"}


class ReplicationConfigError(ValueError):
    pass


@dataclass(frozen=True)
class DuckDBStream:
    """One stream as the DuckDB engine copies it: source table -> target table."""

    name: str  # the stream's name in replication.yaml, e.g. "data.orders"
    source_schema: str
    source_table: str
    target_schema: str
    target_table: str
    mode: str
    primary_key: tuple[str, ...]
    update_key: str | None
    loaded_at_column: str | None


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text())


def _streams(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Enabled streams with the defaults applied (as Sling applies them)."""
    defaults = config.get("defaults") or {}
    streams = {}
    for name, stream in (config.get("streams") or {}).items():
        merged = {**defaults, **(stream or {})}
        merged["meta"] = {**(defaults.get("meta") or {}), **((stream or {}).get("meta") or {})}
        if not merged.get("disabled"):
            streams[name] = merged
    return streams


def engine_of(config: Mapping[str, Any], name: str) -> str:
    engine = _streams(config)[name]["meta"].get("engine", SLING)
    if engine not in ENGINES:
        raise ReplicationConfigError(
            f"stream {name}: meta.engine {engine!r} is not one of {', '.join(ENGINES)}")
    return engine


def with_streams(config: Mapping[str, Any], engine: str) -> dict[str, Any] | None:
    """The replication limited to the streams `engine` copies (None if it copies none); the
    file's own dict, unchanged, when every stream goes there (Sling's code version stays)."""
    names = [name for name in _streams(config) if engine_of(config, name) == engine]
    if not names:
        return None
    if len(names) == len(config.get("streams") or {}):
        return dict(config)
    return {**config, "streams": {name: config["streams"][name] for name in names}}


def _normal(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip().lower()


def _loaded_at_column(config: Mapping[str, Any]) -> str | None:
    setting = str((config.get("env") or {}).get("SLING_LOADED_AT_COLUMN", "false")).lower()
    if setting in ("false", ""):
        return None
    if setting in ("true", "timestamp"):
        return LOADED_AT_COLUMN
    raise ReplicationConfigError(
        f"env SLING_LOADED_AT_COLUMN={setting!r}: the duckdb engine writes the loaded-at column as"
        " a timestamp (true/timestamp) or not at all (false)")


def target_of(name: str, stream: Mapping[str, Any]) -> tuple[str, str]:
    """(schema, table) a stream writes in the lake: its `object`, placeholders filled."""
    source_schema, _, source_table = name.rpartition(".")
    try:
        target = stream.get("object", "{stream_schema}_{stream_table}").format(
            stream_schema=source_schema or "public", stream_table=source_table)
    except KeyError as missing:
        raise ReplicationConfigError(
            f"stream {name}: object placeholder {missing} is not one the duckdb engine knows"
            " ({stream_schema}, {stream_table})") from None
    target_schema, _, target_table = target.rpartition(".")
    return target_schema or "main", target_table


def sling_targets(config: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Stream name -> (schema, table) of the streams Sling copies."""
    return {name: target_of(name, stream) for name, stream in _streams(config).items()
            if engine_of(config, name) == SLING}


def duckdb_streams(config: Mapping[str, Any]) -> list[DuckDBStream]:
    """The streams the DuckDB engine copies, checked against what it implements."""
    loaded_at = _loaded_at_column(config)
    streams = []
    for name, stream in _streams(config).items():
        if engine_of(config, name) != DUCKDB:
            continue
        unknown = sorted(set(stream) - DUCKDB_STREAM_KEYS)
        if unknown:
            raise ReplicationConfigError(
                f"stream {name}: the duckdb engine does not implement {', '.join(unknown)};"
                " remove it or leave the stream on Sling")
        source_schema, _, source_table = name.rpartition(".")
        source_schema = source_schema or "public"
        mode = stream.get("mode", FULL_REFRESH)
        primary_key = stream.get("primary_key") or []
        primary_key = tuple([primary_key] if isinstance(primary_key, str) else primary_key)
        update_key = stream.get("update_key")
        if mode not in (FULL_REFRESH, INCREMENTAL):
            raise ReplicationConfigError(
                f"stream {name}: mode {mode!r}; the duckdb engine copies {FULL_REFRESH} or {INCREMENTAL}")
        if mode == INCREMENTAL and not (primary_key and update_key):
            raise ReplicationConfigError(
                f"stream {name}: an incremental stream on the duckdb engine needs primary_key and"
                " update_key (it merges rows past the last update_key value by primary key)")
        # The engine selects rows past the last update_key value and rows where it is NULL; the
        # Sling query that does the same is accepted so that switching engines is one line.
        sql = stream.get("sql")
        picks_up_nulls = f"select * from {name} where {{incremental_where_cond}} or {update_key} is null"
        if sql is not None and _normal(sql) != _normal(picks_up_nulls):
            raise ReplicationConfigError(
                f"stream {name}: the duckdb engine cannot run a custom sql ({sql.strip()!r}); it"
                f" selects rows past the last {update_key} and rows where it is NULL itself."
                " Remove sql or leave the stream on Sling")
        target_schema, target_table = target_of(name, stream)
        streams.append(DuckDBStream(
            name=name, source_schema=source_schema, source_table=source_table,
            target_schema=target_schema, target_table=target_table, mode=mode,
            primary_key=primary_key, update_key=update_key if mode == INCREMENTAL else None,
            loaded_at_column=loaded_at,
        ))
    return streams
