"""Dagster side of a file load: the lake connection, the contract as an asset check, failures."""

from collections.abc import Iterator

import dagster as dg
from dagster_duckdb import DuckDBResource

from files_location.bad_file_error import BadFileError
from files_location.contract import RULES, ContractViolation
from files_location.warehouse import Tag, replace_file_rows

# Every table of share prices carries this check; it is evaluated inside the load's transaction.
CONTRACT_CHECK = "share_price_contract"


def contract_check_spec(asset: str | dg.AssetKey) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        CONTRACT_CHECK,
        asset=asset,
        blocking=True,
        description="The loaded file keeps the share-price contract: "
        + "; ".join(f"{rule}: {text}" for rule, text in RULES.items()),
    )


def failure(error: BadFileError) -> dg.Failure:
    """The step failure for a file that cannot be loaded as it is: not retried (the step's
    RetryPolicy is for failures outside the file); it waits for a person to fix the file."""
    metadata = {"file": error.file, "problem": error.problem}
    if isinstance(error, ContractViolation):
        metadata["rule"] = error.rule
    return dg.Failure(description=str(error), metadata=metadata, allow_retries=False)


def contract_result(
    file: str,
    *,
    rows: int = 0,
    violation: ContractViolation | None = None,
    asset_key: dg.AssetKey | None = None,
    check_name: str = CONTRACT_CHECK,
) -> dg.AssetCheckResult:
    """The check result a user sees on the asset: the rule broken and the offending rows."""
    if violation is None:
        return dg.AssetCheckResult(
            asset_key=asset_key,
            check_name=check_name,
            passed=True,
            metadata={"file": file, "rows": rows},
        )
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=False,
        severity=dg.AssetCheckSeverity.ERROR,
        description=str(violation),
        metadata={
            "file": violation.file,
            "rule": violation.rule,
            "offending_row_count": violation.offending_count,
            "offending_rows": dg.MetadataValue.json(violation.offending_rows),
        },
    )


def load_file(
    duckdb: DuckDBResource,
    *,
    table: str,
    source: str,
    file: str,
    tags: list[Tag],
    key: str,
    prepare=None,
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """Load `source` into `table` in one transaction; `prepare(conn)` runs first (e.g. S3 secrets).

    A file that breaks the contract: the failed check result (on the table asset), then a step
    failure naming the file and the rule; the table is as it was.
    """
    log = dg.get_dagster_logger()

    def told(attempt: int, error: BaseException) -> None:
        log.info(f"{file}: another writer changed {table} during this load (attempt {attempt});"
                 " loading again")

    violation = None
    with duckdb.get_connection() as conn:
        try:
            if prepare is not None:
                prepare(conn)
            rows = replace_file_rows(
                conn, table=table, source=source, file=file, tags=tags, key=key, on_conflict=told
            )
        except ContractViolation as broken:
            violation = broken
        except BadFileError as error:
            raise failure(error) from error
    if violation is not None:
        yield contract_result(file, violation=violation)
        raise failure(violation) from violation
    metadata = {"table": table, "rows_loaded": rows, "file": file}
    metadata.update({tag.column: tag.value for tag in tags})
    yield dg.MaterializeResult(metadata=metadata, check_results=[contract_result(file, rows=rows)])
