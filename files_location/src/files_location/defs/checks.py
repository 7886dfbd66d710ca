"""The blocking check between import_file and its loads: bad share prices never reach DuckDB."""

import dagster as dg
import duckdb

from files_location.defs.assets import import_file
from files_location.share_prices import BadFileError
from files_location.warehouse import NO_DOWNLOADS, csv_scan, describe, read_header

SAMPLE_SIZE = 20  # offending rows shown in the check's metadata


@dg.asset_check(
    asset=import_file,
    blocking=True,
    description="The file has the required columns and every share_price is a number > 0.",
)
def valid_share_prices(import_file: str) -> dg.AssetCheckResult:
    with duckdb.connect(config=NO_DOWNLOADS) as conn:
        try:
            header = read_header(conn, import_file, import_file)
            scan = csv_scan(import_file, header, typed=False)
            price = "TRY_CAST(trim(share_price) AS DOUBLE)"
            invalid = f"{price} IS NULL OR NOT isfinite({price}) OR {price} <= 0"
            try:
                total, bad = conn.execute(
                    f"SELECT count(*), count(*) FILTER (WHERE {invalid}) FROM {scan}"
                ).fetchone()
                offending = []
                if bad:
                    sample = conn.execute(
                        f"SELECT * FROM {scan} WHERE {invalid} LIMIT {SAMPLE_SIZE}"
                    )
                    names = [column[0] for column in sample.description]
                    offending = [dict(zip(names, row, strict=True)) for row in sample.fetchall()]
            except duckdb.Error as error:
                raise BadFileError(import_file, describe(error)) from error
        except BadFileError as error:
            return dg.AssetCheckResult(
                passed=False, description=str(error), metadata={"problem": error.problem}
            )
    return dg.AssetCheckResult(
        passed=bad == 0,
        description=None
        if bad == 0
        else f"{bad} of {total} rows have a missing, non-numeric or non-positive share_price",
        metadata={
            "rows": total,
            "invalid_rows": bad,
            "offending_rows": dg.MetadataValue.json(offending),
        },
    )
