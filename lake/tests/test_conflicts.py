"""Writers of one table side by side: a delete+insert conflicts with the other writer even on other
rows and is retried whole; appends commit side by side."""

import multiprocessing

import duckdb
import pytest

from dagster_etl_lake import connect, in_transaction, is_conflict

LOADS = 8


def replace_rows(tag: str) -> list[str]:
    """`tag`'s 1,000 rows replaced LOADS times, retried on conflict; the errors raised."""
    errors = []
    with connect() as conn:
        for _ in range(LOADS):
            try:
                in_transaction(conn, lambda c: replace(c, tag))
            except duckdb.Error as error:
                errors.append(f"{type(error).__name__}: {error}")
    return errors


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


def replace(conn, tag: str) -> None:
    conn.execute("DELETE FROM loads WHERE tag = ?", [tag])
    conn.execute("INSERT INTO loads SELECT range, ? FROM range(1000)", [tag])


def test_a_replacement_conflicts_with_a_writer_that_committed_other_rows_since_it_began(loads_table):
    # The interleaving two processes only sometimes hit, made certain: a begins, b commits, a commits.
    with connect() as a, connect() as b:
        in_transaction(a, lambda c: (replace(c, "a"), replace(c, "b")))  # rows for both to delete
        a.execute("BEGIN")
        replace(a, "a")
        b.execute("BEGIN")
        replace(b, "b")
        b.execute("COMMIT")
        with pytest.raises(duckdb.TransactionException) as raised:
            a.execute("COMMIT")
    assert is_conflict(raised.value), raised.value
    assert "Transaction conflict" in str(raised.value)
    assert counts() == {"a": 1000, "b": 1000}, "the conflicting replacement left rows behind"


def test_with_the_retry_a_conflicting_replacement_is_run_again_and_commits_exactly_once(loads_table):
    conflicts = []
    with connect() as a, connect() as b:
        in_transaction(a, lambda c: (replace(c, "a"), replace(c, "b")))
        def load_while_b_commits_once(conn):
            replace(conn, "a")
            if not conflicts:  # only the first attempt is overtaken
                in_transaction(b, lambda c: replace(c, "b"))

        in_transaction(a, load_while_b_commits_once,
                       on_conflict=lambda attempt, error: conflicts.append((attempt, str(error))))
    assert [attempt for attempt, _ in conflicts] == [1], conflicts
    assert counts() == {"a": 1000, "b": 1000}


def test_writers_side_by_side_with_the_retry_each_commit_every_replacement_exactly(loads_table):
    assert side_by_side(replace_rows, ("a",), ("b",)) == [[], []]
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
