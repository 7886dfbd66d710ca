"""Transactions that other writers of the same table may conflict with, retried.

DuckLake lets appends to one table commit side by side, but a transaction that deletes from a
table fails at COMMIT when another one changed that table since it began (even other rows):
`Transaction conflict - attempting to insert into table ... but another transaction has deleted
from it`. It rolls back cleanly, so running it again from the start gives exact results. A SQLite catalog
(the local lake) says `database is locked` when two processes commit at once: the same remedy.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar

import duckdb

T = TypeVar("T")

ATTEMPTS = 12
FIRST_WAIT_SECONDS = 0.05
MAX_WAIT_SECONDS = 5.0


def is_conflict(error: BaseException) -> bool:
    message = str(error).lower()
    return isinstance(error, duckdb.TransactionException) and (
        "conflict" in message or "database is locked" in message)


def _rollback(conn: duckdb.DuckDBPyConnection) -> None:
    try:
        conn.execute("ROLLBACK")
    except duckdb.Error:
        pass  # a failed COMMIT has already ended the transaction


def in_transaction(
    conn: duckdb.DuckDBPyConnection,
    work: Callable[[duckdb.DuckDBPyConnection], T],
    *,
    attempts: int = ATTEMPTS,
    on_conflict: Callable[[int, BaseException], None] | None = None,
) -> T:
    """`work(conn)` in one transaction, committed; run again from the start (after a growing,
    jittered pause) when the commit conflicts with a concurrent writer. Any other error rolls
    back and is raised; so is the conflict of the last attempt."""
    for attempt in range(1, attempts + 1):
        conn.execute("BEGIN TRANSACTION")
        try:
            result = work(conn)
            conn.execute("COMMIT")
            return result
        except BaseException as error:
            _rollback(conn)
            if not is_conflict(error) or attempt == attempts:
                raise
            if on_conflict is not None:
                on_conflict(attempt, error)
        wait = min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2 ** (attempt - 1))
        time.sleep(wait * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")
