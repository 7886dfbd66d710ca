"""Dagster side of a file load: the writer connection, errors as Failures, materialization metadata."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from files_location.share_prices import BadFileError
from files_location.warehouse import Tag, replace_file_rows


def failure(error: BadFileError) -> dg.Failure:
    return dg.Failure(
        description=str(error), metadata={"file": error.file, "problem": error.problem}
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
) -> dg.MaterializeResult:
    """Load `source` into `table` in one transaction; `prepare(conn)` runs first (e.g. S3 secrets)."""
    with duckdb.get_connection() as conn:
        try:
            if prepare is not None:
                prepare(conn)
            rows = replace_file_rows(
                conn, table=table, source=source, file=file, tags=tags, key=key
            )
        except BadFileError as error:
            raise failure(error) from error
        finally:
            # The resource only closes on success; close here too so that a failed load
            # releases the file for the next writer.
            conn.close()
    metadata = {"table": table, "rows_loaded": rows, "file": file}
    metadata.update({tag.column: tag.value for tag in tags})
    return dg.MaterializeResult(metadata=metadata)
