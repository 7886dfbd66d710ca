"""The share-price contract: what a CSV must be before any table of this location takes its rows.

Every path that writes share prices (raw_data, the daily and dynamic partition tables, the S3
table, the dlt table) loads through `read_header` and either `verify_loaded` (fast: after a
typed load, inside its transaction) or `check` (the full rule-by-rule evaluation, which also
explains a failed fast path). A broken rule raises ContractViolation: the file, the rule, a
bounded sample of offending rows and their count.
"""

import csv
import itertools
from dataclasses import dataclass
from typing import Any

import duckdb

from dagster_etl_lake.attach import identifier, sql_literal
from files_location.bad_file_error import BadFileError
from files_location.share_prices import COLUMNS

# Rule name -> what it demands, in the order rules are evaluated.
RULES: dict[str, str] = {
    "encoding": "the file is UTF-8 text",
    "columns": f"the header names exactly the columns {','.join(COLUMNS)} (in any order)",
    "row_fields": "every row has exactly one field per column",
    "rows": "the file has at least one data row",
    "dates": "every date is a calendar day written YYYY/MM/DD (the course files) or YYYY-MM-DD",
    "types": "share_price, amount, spend, shift and spread are finite numbers where given",
    "share_price": "every row has a share_price, and it is greater than 0",
}
DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d")
NUMERIC = [name for name, sql_type in COLUMNS.items() if sql_type == "DOUBLE"]
SAMPLE_SIZE = 20  # offending rows kept in a violation (and shown in the check's metadata)
_scan_ids = itertools.count(1)  # names of the temp tables that keep rejected lines


class ContractViolation(BadFileError):
    def __init__(
        self,
        file: str,
        rule: str,
        detail: str,
        offending_rows: list[dict[str, Any]] | None = None,
        offending_count: int = 0,
    ):
        super().__init__(file, f"breaks contract rule '{rule}': {detail}")
        self.rule = rule
        self.detail = detail
        self.offending_rows = offending_rows or []
        self.offending_count = offending_count


@dataclass
class Report:
    """A file that keeps the contract: how many data rows it has."""

    rows: int


def parse_date_sql(column: str) -> str:
    formats = ", ".join(sql_literal(f) for f in DATE_FORMATS)
    return f"try_strptime({column}, [{formats}])::DATE"


# --- header: encoding and columns ------------------------------------------------------------


def parse_header(file: str, line: str | None) -> list[str]:
    """Column names of a header line, checked against COLUMNS (any order, no more, no fewer)."""
    if line is None:
        raise ContractViolation(file, "columns", "the file is empty (no header line)")
    names = [name.strip() for name in next(csv.reader([line]), [])]
    missing = [name for name in COLUMNS if name not in names]
    extra = [name for name in names if name not in COLUMNS]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected column(s) {', '.join(extra) or repr('')}")
    if duplicated:
        problems.append(f"duplicated column(s) {', '.join(duplicated)}")
    if problems:
        expected = ",".join(COLUMNS)
        raise ContractViolation(
            file, "columns", f"{'; '.join(problems)} (expected header {expected})"
        )
    return names


def describe(error: duckdb.Error) -> str:
    # DuckDB's message starts with what went wrong and on which line; drop its advice section.
    lines = []
    for line in str(error).splitlines():
        if not line.strip() or line.startswith("Possible") or line.startswith("Column "):
            break
        lines.append(line.strip())
    return "; ".join(lines) or type(error).__name__


HEADER_BYTES = 64 * 1024  # a header line longer than this is judged by its first 64 KiB


def header_from_bytes(file: str, head: bytes) -> list[str]:
    """The validated column names from a file's first bytes (its first HEADER_BYTES or fewer)."""
    # Bytes first: a text reader would decode (and judge) more than the header line.
    raw = head.partition(b"\n")[0]
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContractViolation(
            file, "encoding", f"the header line is not UTF-8 ({error.reason})"
        ) from error
    return parse_header(file, line.rstrip("\r") if head else None)


def read_header(conn: duckdb.DuckDBPyConnection, source: str, file: str) -> list[str]:
    """The validated column names of a CSV (local path or s3:// URL)."""
    if "://" not in source:
        try:
            with open(source, "rb") as csv_file:
                raw = csv_file.read(HEADER_BYTES)
        except OSError as error:
            raise BadFileError(file, f"cannot be read: {error.strerror}") from error
        return header_from_bytes(file, raw)
    # Remote: read the whole first line as one field (delimiter \x01, no quoting), letting
    # DuckDB's reader deal with BOM and line endings while we check the names ourselves. Lines it
    # cannot take are set aside (a bad line further down is for `check` to report), but a header
    # that is not UTF-8 is the encoding rule's.
    rejects = f"contract_header_rejects_{next(_scan_ids)}"
    try:
        row = conn.execute(
            "SELECT line FROM read_csv(?, header=false, auto_detect=false, delim=chr(1),"
            " quote='', escape='', columns={'line': 'VARCHAR'}, strict_mode=false"
            f"{_rejects_options(rejects)}) LIMIT 1",
            [literal_path(source)],
        ).fetchone()
        header_rejected = (
            _table_exists(conn, rejects)
            and conn.execute(f"SELECT count(*) FROM {identifier(rejects)} WHERE line = 1").fetchone()[0]
        )
    except duckdb.Error as error:
        raise BadFileError(file, f"cannot be read: {describe(error)}") from error
    finally:
        _drop_rejects(conn, rejects)
    if header_rejected:
        raise ContractViolation(file, "encoding", "the header line is not UTF-8")
    return parse_header(file, row[0] if row else None)


# --- scans -----------------------------------------------------------------------------------


def _rejects_options(rejects: str) -> str:
    """read_csv options that set the lines it cannot take aside in temp tables named after `rejects`."""
    return (f", store_rejects=true, rejects_table={sql_literal(rejects)},"
            f" rejects_scan={sql_literal(rejects + '_scan')}")


def _drop_rejects(conn: duckdb.DuckDBPyConnection, rejects: str) -> None:
    for table in (rejects, rejects + "_scan"):
        conn.execute(f"DROP TABLE IF EXISTS {identifier(table)}")


def _dict_rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


_GLOB = str.maketrans({"[": "[[]", "*": "[*]", "?": "[?]"})


def literal_path(path: str) -> str:
    """`path` as read_csv takes it literally: it reads a glob pattern, so `x[1].csv` would load
    `x1.csv` and `q?.csv` every `q<one character>.csv`. Each wildcard becomes a class of itself."""
    return path.translate(_GLOB)


def csv_scan(source: str | list[str], header: list[str], *, text: bool = False, rejects: str = "",
             filename: bool = False) -> str:
    """A strict read_csv over a file (or files) with a validated header.

    Typed (default): numbers as DOUBLE, the date as text for `parse_date_sql`; any field that does
    not parse fails the scan. text=True reads every field as text, for the rules to look at;
    rejects=<name> keeps the rows that do not split into the columns (or do not parse) in temp
    table <name> instead; filename=True adds each row's source as column `filename`.
    """
    types = {name: "VARCHAR" if text or name == "date" else COLUMNS[name] for name in header}
    columns = ", ".join(
        f"{sql_literal(name)}: {sql_literal(sql_type)}" for name, sql_type in types.items()
    )
    errors = _rejects_options(rejects) if rejects else ", strict_mode=true, ignore_errors=false"
    if filename:
        errors += ", filename=true"
    sources = (sql_literal(literal_path(source)) if isinstance(source, str)
               else "[" + ", ".join(sql_literal(literal_path(path)) for path in source) + "]")
    return (
        f"read_csv({sources}, header=true, auto_detect=false, delim=',', quote='\"',"
        f" escape='\"', columns={{{columns}}}{errors})"
    )


def typed_columns_sql() -> list[str]:
    """Select-list turning a typed scan's columns into the warehouse's, in COLUMNS order."""
    return [
        f"{parse_date_sql(identifier(name))} AS {identifier(name)}" if name == "date" else identifier(name)
        for name in COLUMNS
    ]


# --- row rules -------------------------------------------------------------------------------

# Over the text scan, per row rule: a predicate true for an offending row, and the problem told.
_TEXT_RULES = {
    "dates": (
        f'"date" IS NULL OR {parse_date_sql(identifier("date"))} IS NULL',
        "{bad} of {rows} rows have a missing or invalid date",
    ),
    "types": (
        " OR ".join(
            f"({identifier(n)} IS NOT NULL"
            f" AND NOT coalesce(isfinite(TRY_CAST({identifier(n)} AS DOUBLE)), false))"
            for n in NUMERIC
        ),
        "{bad} of {rows} rows have a value that is not a finite number",
    ),
    "share_price": (
        '"share_price" IS NULL OR TRY_CAST("share_price" AS DOUBLE) <= 0',
        "{bad} of {rows} rows have no share_price or one that is not greater than 0",
    ),
}
# Over loaded (typed) rows: any row that would break a row rule.
LOADED_VIOLATION_SQL = " OR ".join(
    ['"date" IS NULL', '"share_price" IS NULL', '"share_price" <= 0']
    + [f"NOT isfinite({identifier(n)})" for n in NUMERIC]
)


def verify_loaded(conn: duckdb.DuckDBPyConnection, relation: str, params=()) -> bool:
    """Whether the typed rows in `relation` (a table filtered to one file) keep the row rules."""
    (bad,) = conn.execute(
        f"SELECT count(*) FILTER (WHERE {LOADED_VIOLATION_SQL}) FROM {relation}", list(params)
    ).fetchone()
    return bad == 0


def check(
    conn: duckdb.DuckDBPyConnection, source: str, file: str, header: list[str] | None = None
) -> Report:
    """Every rule, in order, over the whole file; raises ContractViolation at the first broken."""
    if header is None:
        header = read_header(conn, source, file)
    rejects = f"contract_rejects_{next(_scan_ids)}"
    # Row numbers in samples must follow the file.
    (preserve,) = conn.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    conn.execute("SET preserve_insertion_order = true")
    try:
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE contract_rows AS"
            f" SELECT row_number() OVER () AS data_row, *"
            f" FROM {csv_scan(source, header, text=True, rejects=rejects)}"
        )
        _structure_rules(conn, file, rejects)
        (rows,) = conn.execute("SELECT count(*) FROM contract_rows").fetchone()
        if rows == 0:
            raise ContractViolation(file, "rows", "the file has a header but no data rows")
        counts = conn.execute(
            "SELECT "
            + ", ".join(f"count(*) FILTER (WHERE {sql})" for sql, _ in _TEXT_RULES.values())
            + " FROM contract_rows"
        ).fetchone()
        for (rule, (predicate, problem)), bad in zip(_TEXT_RULES.items(), counts, strict=True):
            if bad:
                sample = conn.execute(
                    f"SELECT * FROM contract_rows WHERE {predicate}"
                    f" ORDER BY data_row LIMIT {SAMPLE_SIZE}"
                )
                offending = _dict_rows(sample)
                first = offending[0]["data_row"]
                raise ContractViolation(
                    file,
                    rule,
                    problem.format(bad=bad, rows=rows) + f" (first: data row {first})",
                    offending,
                    bad,
                )
        return Report(rows=rows)
    except duckdb.Error as error:
        if "unicode" in str(error).lower():
            raise ContractViolation(file, "encoding", describe(error)) from error
        raise ContractViolation(file, "row_fields", describe(error)) from error
    finally:
        conn.execute("DROP TABLE IF EXISTS contract_rows")
        _drop_rejects(conn, rejects)
        conn.execute(f"SET preserve_insertion_order = {str(preserve).lower()}")


def _table_exists(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    # DuckDB creates a rejects table only when a scan sets something aside.
    (count,) = conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]
    ).fetchone()
    return count > 0


def _structure_rules(conn: duckdb.DuckDBPyConnection, file: str, rejects: str) -> None:
    """encoding and row_fields, from the rows DuckDB's reader could not take."""
    if not _table_exists(conn, rejects):
        return
    for rule, where in (
        ("encoding", "error_type = 'INVALID ENCODING'"),
        ("row_fields", "error_type <> 'INVALID ENCODING'"),
    ):
        (bad,) = conn.execute(
            f"SELECT count(DISTINCT line) FROM {identifier(rejects)} WHERE {where}"
        ).fetchone()
        if not bad:
            continue
        sample = conn.execute(
            f"SELECT line, any_value(csv_line ORDER BY column_idx) AS csv_line,"
            f" any_value(error_message ORDER BY column_idx) AS error"
            f" FROM {identifier(rejects)} WHERE {where} GROUP BY line ORDER BY line LIMIT {SAMPLE_SIZE}"
        )
        offending = _dict_rows(sample)
        first = offending[0]
        what = "are not UTF-8" if rule == "encoding" else "do not have one field per column"
        raise ContractViolation(
            file,
            rule,
            f"{bad} line(s) {what} (first: line {first['line']}: {first['error']})",
            offending,
            bad,
        )


def explain(
    conn: duckdb.DuckDBPyConnection,
    source: str,
    file: str,
    header: list[str],
    error: duckdb.Error | None = None,
) -> ContractViolation:
    """Why a typed load failed (or found offending rows): the rule broken, by `check`."""
    try:
        check(conn, source, file, header)
    except ContractViolation as violation:
        return violation
    # The full check found nothing: say what the reader said.
    if error is not None:
        message = describe(error)
        rule = "types" if "Conversion" in message else "row_fields"
        return ContractViolation(file, rule, message)
    return ContractViolation(file, "types", "the file's values do not load as numbers and dates")
