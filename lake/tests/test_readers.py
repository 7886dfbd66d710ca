"""Readers on the lake while writers load: one snapshot for the reader's whole transaction, no
wait for the writer, and the table as it was before a load (time travel)."""

from dagster_etl_lake import connect, in_transaction
from dagster_etl_lake.settings import READER


def replace_day(conn, day: int, rows: int) -> None:
    def load(c):
        c.execute("DELETE FROM prices WHERE day = ?", [day])
        c.execute("INSERT INTO prices SELECT ?, range FROM range(?)", [day, rows])

    in_transaction(conn, load)


def test_a_reader_in_a_transaction_keeps_its_snapshot_while_a_writer_commits_load_after_load(lake):
    with connect() as writer:
        writer.execute("CREATE TABLE prices (day INTEGER, price BIGINT)")
        replace_day(writer, 1, 100)
        with connect(lake.as_role(READER), read_only=True) as reader:
            reader.execute("BEGIN")
            seen = [reader.sql("SELECT count(*), sum(price) FROM prices").fetchone()]
            for day in range(2, 22):  # 20 commits while the reader's transaction stays open
                replace_day(writer, day, 50)
                replace_day(writer, 1, 10)
                seen.append(reader.sql("SELECT count(*), sum(price) FROM prices").fetchone())
            assert set(seen) == {(100, 4950)}
            # The writer was never held up: all its loads are committed while the reader still holds.
            assert writer.sql("SELECT count(*) FROM prices").fetchone() == (10 + 20 * 50,)
            reader.execute("COMMIT")
            assert reader.sql("SELECT count(*) FROM prices").fetchone() == (10 + 20 * 50,)


def test_time_travel_shows_a_table_as_it_was_before_the_last_load(lake):
    with connect() as writer:
        writer.execute("CREATE TABLE prices (day INTEGER, price BIGINT)")
        replace_day(writer, 1, 100)
        (before,) = writer.sql("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()
        replace_day(writer, 1, 3)
    with connect(lake.as_role(READER), read_only=True) as reader:
        assert reader.sql("SELECT count(*) FROM prices").fetchone() == (3,)
        assert reader.sql(f"SELECT count(*) FROM prices AT (VERSION => {before})").fetchone() == (100,)
