"""The CSV format users drop into the landing folder (the course's share-price files)."""

import csv

# Column name -> DuckDB type, in the order the warehouse tables keep them.
COLUMNS: dict[str, str] = {
    "date": "DATE",
    "share_price": "DOUBLE",
    "amount": "DOUBLE",
    "spend": "DOUBLE",
    "shift": "DOUBLE",
    "spread": "DOUBLE",
}
# The course files write dates as 2018/09/28.
DATE_FORMAT = "%Y/%m/%d"


class BadFileError(Exception):
    """A landing file that cannot be loaded; the message names the file and the problem."""

    def __init__(self, file: str, problem: str):
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem


def parse_header(file: str, line: str | None) -> list[str]:
    """Column names of a header line, checked against COLUMNS (any order, no more, no fewer)."""
    if line is None:
        raise BadFileError(file, "the file is empty (no header line)")
    names = next(csv.reader([line]), [])
    names = [name.strip() for name in names]
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
        raise BadFileError(file, f"{'; '.join(problems)} (expected header {expected})")
    return names
