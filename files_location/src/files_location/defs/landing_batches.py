"""Landing files, many per run: duckdb_landing_table and import_landing_job, fed in batches by
landing_folder_sensor (or run by hand with the files named in run config)."""

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field

from dagster_etl_lake.policies import LOAD_RETRY
from files_location.landing_batch import LEDGER, LOADED, REFUSED, Outcome, load_batch
from files_location.landing_watch import Version, pinned, unpin
from files_location.loading import CONTRACT_CHECK, contract_check_spec, contract_result
from files_location.settings import LAKE_SCHEMA

# The course's table of the landing folder's files (its dynamic-partitions lesson), kept.
TABLE = "raw_dynamic_partition_data"
SHOWN = 50  # files listed in the metadata; the ledger table has them all


class LandingBatchConfig(dg.Config):
    files: list[str] = Field(
        description="Files in the landing folder, e.g. 2018-01-22.csv. The sensor pins each to"
        " the version it saw (name@size:mtime_ns) and a version imported before is skipped;"
        " a file named without a version is imported as it is now."
    )


def run_config(batch: list[tuple[str, Version]]) -> dict:
    return {"ops": {"duckdb_landing_table": {"config": {"files": [pinned(n, v) for n, v in batch]}}}}


def _table(outcomes: list[Outcome], *columns: str) -> dg.MetadataValue:
    lines = [" | ".join(columns), " | ".join("---" for _ in columns)]
    for outcome in outcomes[:SHOWN]:
        lines.append(" | ".join(str(getattr(outcome, c) or "").replace("|", "\\|") for c in columns))
    if len(outcomes) > SHOWN:
        lines.append(f"... {len(outcomes) - SHOWN} more | " + " | ".join("" for _ in columns[1:]))
    return dg.MetadataValue.md("\n".join(lines))


def _check(outcomes: list[Outcome], refused: list[Outcome], *, loaded_any: bool) -> dg.AssetCheckResult:
    if not refused:
        return dg.AssetCheckResult(check_name=CONTRACT_CHECK, passed=True,
                                   metadata={"files": len(outcomes)})
    # The first refused file as every other path reports a file (contract_result), then the rest.
    first = refused[0]
    if first.violation is not None:
        metadata = contract_result(first.file, violation=first.violation).metadata
    else:
        metadata = {"file": dg.MetadataValue.text(first.file), "rule": dg.MetadataValue.text(first.rule)}
    more = f" (and {len(refused) - 1} more file(s) refused)" if len(refused) > 1 else ""
    return dg.AssetCheckResult(
        check_name=CONTRACT_CHECK,
        passed=False,
        # Refused files never stop the rest of their batch; a batch with nothing to load fails.
        severity=dg.AssetCheckSeverity.WARN if loaded_any else dg.AssetCheckSeverity.ERROR,
        description=f"{first.file}: {first.reason}{more}",
        metadata={
            **metadata,
            "files_refused": len(refused),
            "files": len(outcomes),
            "refused": dg.MetadataValue.json(
                [{"file": o.file, "rule": o.rule, "reason": o.reason} for o in refused[:SHOWN]]),
        },
    )


@dg.asset(
    kinds={"duckdb"},
    group_name="landing",
    retry_policy=LOAD_RETRY,
    check_specs=[contract_check_spec("duckdb_landing_table")],
    description=f"{LAKE_SCHEMA}.{TABLE}: the landing folder's files, each file's rows replacing"
    f" those of its earlier versions; {LAKE_SCHEMA}.{LEDGER} says per file which run loaded it"
    " with how many rows, or why it was refused.",
)
def duckdb_landing_table(context: dg.AssetExecutionContext, config: LandingBatchConfig,
                         duckdb: DuckDBResource):
    def told(attempt: int, error: BaseException) -> None:
        context.log.info(f"another writer changed {TABLE} during this batch (attempt {attempt});"
                         " loading again")

    with duckdb.get_connection() as conn:
        outcomes = load_batch(conn, table=TABLE, entries=[unpin(e) for e in config.files],
                              run_id=context.run_id, on_conflict=told)
    by_status: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_status.setdefault(outcome.status, []).append(outcome)
        if outcome.status != LOADED:
            (context.log.warning if outcome.status == REFUSED else context.log.info)(
                f"{outcome.file}: not imported: {outcome.reason}")
    loaded, refused = by_status.get(LOADED, []), by_status.get(REFUSED, [])
    check = _check(outcomes, refused, loaded_any=bool(loaded))
    if refused and not loaded:
        yield check
        first = refused[0]
        raise dg.Failure(
            description=f"{first.file}: {first.reason}"
            + (f" (and {len(refused) - 1} more file(s) refused)" if len(refused) > 1 else ""),
            metadata={"file": first.file, "problem": first.reason, "files_refused": len(refused)},
            allow_retries=False,
        )
    metadata = {
        "table": f"{LAKE_SCHEMA}.{TABLE}",
        "rows_loaded": sum(o.rows for o in loaded),
        **{f"files_{status}": len(by_status.get(status, []))
           for status in ("loaded", "refused", "unchanged", "changed")},
        "per_file": f"SELECT * FROM {LAKE_SCHEMA}.{LEDGER} WHERE run_id = '{context.run_id}'",
    }
    if loaded:
        metadata["loaded"] = _table(loaded, "file", "rows")
    if refused:
        metadata["refused"] = _table(refused, "file", "rule", "reason")
    yield dg.MaterializeResult(metadata=metadata, check_results=[check])


import_landing_job = dg.define_asset_job(
    "import_landing_job",
    selection=dg.AssetSelection.assets(duckdb_landing_table),
    description="Import the landing files named in run config, in one read and one transaction.",
)
