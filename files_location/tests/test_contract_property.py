"""The contract against generated files: a plain-Python reading of the rules predicts, for any
file, whether it loads and which rule it breaks; the load and the check agree with it, and a
refused file leaves the table as it was."""

import math
from datetime import date

import duckdb
from conftest import HEADER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from files_location import contract
from files_location.warehouse import DUCKDB_CONFIG, Tag, replace_file_rows

GOOD_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).flatmap(
    lambda d: st.sampled_from([d.strftime("%Y/%m/%d"), d.isoformat()])
)
BAD_DATES = st.sampled_from(["2018/02/30", "2018/13/01", "", "yesterday", "28.09.2018"])
GOOD_NUMBERS = st.floats(min_value=0.0001, max_value=1e9).map(lambda x: f"{x:.4f}")
BAD_NUMBERS = st.sampled_from(["abc", "nan", "inf", "-inf", "1,5", "12abc"])
NON_POSITIVE = st.sampled_from(["0", "0.0000", "-1.5", "-0"])


@st.composite
def rows(draw):
    return [
        draw(st.one_of(GOOD_DATES, GOOD_DATES, BAD_DATES)),
        draw(st.one_of(GOOD_NUMBERS, GOOD_NUMBERS, BAD_NUMBERS, NON_POSITIVE, st.just(""))),
        *[draw(st.one_of(GOOD_NUMBERS, GOOD_NUMBERS, BAD_NUMBERS, st.just(""))) for _ in range(4)],
    ]


@st.composite
def files(draw):
    table = draw(st.lists(rows(), max_size=6))
    ragged = draw(st.integers(min_value=0, max_value=9))
    lines = [",".join(f'"{v}"' for v in row) for row in table]
    if lines and ragged == 0:  # sometimes a row loses fields
        lines[-1] = ",".join(lines[-1].split(",")[:3])
    return table, "".join(line + "\n" for line in lines), bool(lines) and ragged == 0


def is_date(text):
    for separator in "/-":
        try:
            year, month, day = (int(p) for p in text.split(separator))
            date(year, month, day)
            return len(text.split(separator)[0]) == 4
        except ValueError:
            continue
    return False


def is_number(text):
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def expected_rule(table, ragged):
    if ragged:
        return "row_fields"
    if not table:
        return "rows"
    if any(not is_date(row[0]) for row in table):
        return "dates"
    if any(value and not is_number(value) for row in table for value in row[1:]):
        return "types"
    if any(not row[1] or float(row[1]) <= 0 for row in table):
        return "share_price"
    return None


def load(conn, path):
    return replace_file_rows(
        conn,
        table="prices",
        source=str(path),
        file=path.name,
        tags=[Tag("source_file", "VARCHAR", path.name)],
        key="source_file",
    )


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(generated=files())
def test_load_and_check_follow_the_rules(tmp_path, generated):
    table, body, ragged = generated
    path = tmp_path / "generated.csv"
    path.write_text(HEADER + body)
    kept = tmp_path / "kept.csv"
    kept.write_text(HEADER + '"2018/09/28","1.5","1","2","3","4"\n')
    expected = expected_rule(table, ragged)
    with duckdb.connect(config=DUCKDB_CONFIG) as conn:
        load(conn, kept)  # rows of an earlier file, which every outcome keeps
        try:
            contract.check(conn, str(path), "generated.csv")
            checked = None
        except contract.ContractViolation as violation:
            checked = violation.rule
        try:
            loaded = load(conn, path)
            refused = None
        except contract.ContractViolation as violation:
            refused = violation.rule
            assert str(violation).startswith(f"generated.csv: breaks contract rule '{refused}': ")
        assert checked == expected and refused == expected, body
        counts = dict(
            conn.execute("SELECT source_file, count(*) FROM prices GROUP BY 1").fetchall()
        )
        if expected is None:
            assert loaded == len(table) and counts == {"kept.csv": 1, "generated.csv": len(table)}
        else:
            assert counts == {"kept.csv": 1}
