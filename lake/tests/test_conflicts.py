"""Writers of one table side by side: a delete+insert conflicts with the other writer even on other
rows and is retried whole; appends commit side by side."""

import multiprocessing

import duckdb
import pytest

from dagster_etl_lake import connect, in_transaction, is_conflict

LOADS = 8


def replace_rows(tag: str, retry: bool) -> tuple[int, list[str]]:
    """`tag`'s 1,000 rows replaced LOADS times; (conflicts retried, errors raised)."""
    conflicts, errors = [], []
    with connect() as conn:
        def load(c):
            c.execute("DELETE FROM loads WHERE tag = ?", [tag])
            c.execute("INSERT INTO loads SELECT range, ? FROM range(1000)", [tag])

        for _ in range(LOADS):
            try:
                if retry:
                    in_transaction(conn, load,
                                   on_conflict=lambda attempt, error: conflicts.append(str(error)))
                else:
                    conn.execute("BEGIN")
                    load(conn)
                    conn.execute("COMMIT")
            except duckdb.Error as error:
                errors.append(f"{type(error).__name__}: {error}")
                if not retry:
                    rollback(conn)
    return len(conflicts), errors


def rollback(conn) -> None:
    try:
        conn.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass  # a failed COMMIT ended the transaction already


def append_rows(tag: str) -> int:
    conflicts = []
    with connect() as conn:
        for _ in range(LOADS):
            def append(c):
                c.execute("INSERT INTO loads SELECT range, ? FROM range(1000)", [tag])

            in_transaction(conn, append, on_conflict=lambda attempt, error: conflicts.append(error))
    return len(conflicts)


def side_by_side(function, *args) -> list:
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        return pool.starmap(function, args)


@pytest.fixture
def loads_table(lake):
    with connect() as conn:
        conn.execute("CREATE TABLE loads (n BIGINT, tag VARCHAR)")


def counts() -> dict[str, int]:
    with connect() as conn:
        return dict(conn.sql("SELECT tag, count(*) FROM loads GROUP BY tag").fetchall())


def test_without_a_retry_writers_replacing_other_rows_of_one_table_conflict(loads_table):
    results = side_by_side(replace_rows, ("a", False), ("b", False))
    errors = [error for _, raised in results for error in raised]
    assert errors, "two writers replacing rows of one table never conflicted"
    assert all("Transaction conflict" in error for error in errors), errors


def test_with_the_retry_every_replacement_commits_once_and_exactly(loads_table):
    results = side_by_side(replace_rows, ("a", True), ("b", True))
    assert [errors for _, errors in results] == [[], []]
    assert sum(conflicts for conflicts, _ in results) > 0, "the writers never met: the test proves nothing"
    assert counts() == {"a": 1000, "b": 1000}


def test_appends_to_one_table_commit_side_by_side_without_a_retry(loads_table):
    assert side_by_side(append_rows, ("c",), ("d",)) == [0, 0]
    assert counts() == {"c": LOADS * 1000, "d": LOADS * 1000}


def test_an_error_that_is_not_a_conflict_rolls_back_and_is_raised_at_once(loads_table):
    attempts = []

    def broken(c):
        attempts.append(1)
        c.execute("INSERT INTO loads VALUES (1, 'x')")
        c.execute("SELECT no_such_column FROM loads")

    with connect() as conn, pytest.raises(duckdb.BinderException) as raised:
        in_transaction(conn, broken)
    assert not is_conflict(raised.value)
    assert attempts == [1]
    assert counts() == {}
