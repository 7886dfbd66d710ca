"""The lake next to a bare DuckDB file, in one run: a bulk load, a query, and what a step pays to
attach the lake.

    uv run --frozen --project lake python bench/warehouse.py [--rows 1000000] [--repeat 5]

The lake is made as the deployment makes it: a throwaway PostgreSQL 15 (dagster_etl_lake.testing,
durability settings off, so its commits cost less than on the deployment's Postgres) holds the
catalog, created by seed/initdb/lake.sql with the writer and reader roles and attached once before
any measure, as the init service does (dagster_etl_lake.prepare); the data are Parquet files in a
local folder. The reference is a bare DuckDB file on the same disk. A CSV shaped like
the course's share prices (date, share_price, amount, spend, shift, spread, source_file; 3,650
days, each in every one of --rows / 3,650 files) is written once. Every round makes a fresh DuckDB
file and a fresh lake (its own catalog database and data folder) and runs, file and lake in turn
so that machine load hits them alike (medians over --repeat rounds; both with the loads'
DuckDB settings, files_location.warehouse.DUCKDB_CONFIG):
  load            file: duckdb.connect(file), CREATE TABLE AS SELECT FROM read_csv, close (the
                  checkpoint that makes the rows durable)
                  lake: dagster_etl_lake.connect() (extension LOADs, ATTACH), the same CREATE TABLE
                  AS in one transaction, COMMIT (Parquet written, the catalog updated), close
  query           GROUP BY date with a count and five sums over the loaded table, on a fresh
                  read-only connection (the lake's as the reader role): its first run (the lake
                  reads the catalog then), and again on the same connection (median of 3)
  fresh process   what a step's process pays: a new Python process that imports duckdb and
                  connects (file: duckdb.connect(file); lake: dagster_etl_lake.connect()), then
                  counts the table's rows; its wall time from start to exit and its own timings
                  (importing dagster_etl_lake does not import dagster; LakeResource does, which
                  a Dagster step has imported already)
  in-process      a new connection: file: duckdb.connect(file); lake: duckdb.connect() +
                  open_lake(), split on another new connection into the extension LOADs by file
                  path (dagster_etl_lake.extensions) and ATTACH + USE; the signature checks are
                  what the same LOADs cost more with allow_unsigned_extensions off (the image
                  build checks them once; the lake's sessions skip it). Every new DuckDB
                  database pays the LOADs again, in a fresh process or not.
                  get_connection: file: dagster-duckdb's DuckDBResource (opens the file each
                  time); lake: LakeResource's first get_connection in the process (opens its
                  session) and the next ones (a cursor on the cached session; median of 5)
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Light imports only at module level: the fresh-process workers run this file and time their own
# imports (duckdb, dagster_etl_lake) themselves.

SCHEMA, TABLE = "bench", "share_prices"
DAYS = 3650
COLUMNS = {"date": "DATE", "share_price": "DOUBLE", "amount": "DOUBLE", "spend": "DOUBLE",
           "shift": "DOUBLE", "spread": "DOUBLE", "source_file": "VARCHAR"}
QUERY = ("SELECT date, count(*), sum(share_price), sum(amount), sum(spend), sum(shift), sum(spread)"
         " FROM {table} GROUP BY date ORDER BY date")
QUERY_AGAIN, GET_AGAIN = 3, 5


def load_config() -> dict:
    """files_location's loads' DuckDB settings (that project is not installed here; the same
    values): no extension downloads, rows inserted in parallel without keeping file order."""
    from dagster_etl_lake.attach import SESSION_CONFIG

    return {**SESSION_CONFIG, "preserve_insertion_order": False}


def write_csv(path: Path, rows: int) -> Path:
    """Daily share prices, every field quoted and dates as 2018/01/22, as in the course files."""
    import duckdb

    with duckdb.connect() as conn:
        conn.execute("SELECT setseed(0.22)")
        conn.execute(f"""
            COPY (
                SELECT strftime(DATE '2000-01-01' + (i % {DAYS})::INTEGER, '%Y/%m/%d') AS date,
                       printf('%.4f', 300 + 80 * sin(i / 40) + 15 * random()) AS share_price,
                       printf('%.4f', floor(1000000 + 39000000 * random())) AS amount,
                       printf('%.4f', 300 * (0.98 + 0.04 * random())) AS spend,
                       printf('%.4f', 300 * (1.01 + 0.02 * random())) AS shift,
                       printf('%.4f', 300 * (0.97 + 0.02 * random())) AS spread,
                       printf('share-prices-%04d.csv', i // {DAYS}) AS source_file
                FROM range({int(rows)}) AS t(i)
            ) TO '{path}' (HEADER, FORCE_QUOTE *)
        """)
    return path


def create_table_sql(table: str, csv_path: Path) -> str:
    columns = ", ".join(f"'{name}': '{sql_type}'" for name, sql_type in COLUMNS.items())
    return (f"CREATE TABLE {table} AS SELECT * FROM read_csv('{csv_path}', header = true,"
            f" dateformat = '%Y/%m/%d', columns = {{{columns}}})")


def timer():
    """Returns `lap()`: seconds since the previous lap (or since timer() was called)."""
    last = [time.perf_counter()]

    def lap() -> float:
        now = time.perf_counter()
        seconds, last[0] = now - last[0], now
        return seconds

    return lap


# --- load and query ------------------------------------------------------------------------------


def load_file(db: Path, csv_path: Path) -> dict[str, float]:
    import duckdb

    lap = timer()
    conn = duckdb.connect(str(db), config=load_config())
    connect = lap()
    conn.execute(create_table_sql(TABLE, csv_path))
    load = lap()
    conn.close()
    return {"connect": connect, "load": load, "close": lap()}


def load_lake(settings, csv_path: Path) -> dict[str, float]:
    from dagster_etl_lake import connect

    lap = timer()
    conn = connect(settings, config=load_config())
    connected = lap()
    conn.execute("BEGIN TRANSACTION")
    conn.execute(f"CREATE SCHEMA {SCHEMA}")
    conn.execute(create_table_sql(f"{SCHEMA}.{TABLE}", csv_path))
    conn.execute("COMMIT")
    load = lap()
    conn.close()
    return {"connect": connected, "load": load, "close": lap()}


def query(conn, table: str) -> dict[str, float]:
    lap = timer()
    result = conn.execute(QUERY.format(table=table)).fetchall()
    first = lap()
    again = []
    for _ in range(QUERY_AGAIN):
        lap()
        conn.execute(QUERY.format(table=table)).fetchall()  # parallel float sums: not bit-equal
        again.append(lap())
    assert len(result) == DAYS, len(result)
    return {"first": first, "again": statistics.median(again), "rows": sum(row[1] for row in result)}


def query_file(db: Path) -> dict[str, float]:
    import duckdb

    with duckdb.connect(str(db), read_only=True, config=load_config()) as conn:
        return query(conn, TABLE)


def query_lake(settings) -> dict[str, float]:
    from dagster_etl_lake import connect
    from dagster_etl_lake.settings import READER

    with connect(settings.as_role(READER), read_only=True, config=load_config()) as conn:
        return query(conn, f"{SCHEMA}.{TABLE}")


# --- attach: a fresh process ---------------------------------------------------------------------


def worker_main(kind: str, db: str) -> None:
    """A step's process, as far as the warehouse goes: the parent sets the lake's environment."""
    lap = timer()
    import duckdb

    timings = {"import duckdb": lap()}
    if kind == "lake":
        import dagster_etl_lake

        timings["import dagster_etl_lake"] = lap()
        conn = dagster_etl_lake.connect()  # lake_settings() from the environment
        table = f"{SCHEMA}.{TABLE}"
    else:
        conn = duckdb.connect(db, config={"autoinstall_known_extensions": False})
        table = TABLE
    timings["connect"] = lap()
    conn.execute(f"SELECT count(*) FROM {table}").fetchall()
    timings["first query"] = lap()
    conn.close()
    timings["close"] = lap()
    print(json.dumps(timings))


def fresh_process(kind: str, db: Path, env: dict) -> dict[str, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--worker", kind, str(db)], env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{kind} worker failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return {"wall": wall, **json.loads(done.stdout.strip().splitlines()[-1])}


# --- attach: in-process --------------------------------------------------------------------------


def get_connection_times(resource, lap) -> tuple[float, float]:
    """The resource's first get_connection in this process, and the median of the next ones."""
    lap()
    with resource.get_connection():
        pass
    first = lap()
    again = []
    for _ in range(GET_AGAIN):
        lap()
        with resource.get_connection():
            pass
        again.append(lap())
    return first, statistics.median(again)


def in_process_file(db: Path) -> dict[str, float]:
    import duckdb
    from dagster_duckdb import DuckDBResource

    lap = timer()
    duckdb.connect(str(db), config=load_config()).close()
    new = lap()
    resource = DuckDBResource(database=str(db), connection_config=load_config())
    first, again = get_connection_times(resource, lap)
    return {"new connection": new, "get_connection first": first,
            "get_connection again": again}


def in_process_lake(settings) -> dict[str, float]:
    """`settings` must be the environment's lake (LakeResource reads the environment)."""
    import duckdb

    from dagster_etl_lake import LakeResource, open_lake
    from dagster_etl_lake.attach import attach_sql, required_extensions
    from dagster_etl_lake.extensions import load
    from dagster_etl_lake.settings import ALIAS

    lap = timer()
    conn = duckdb.connect(config=load_config())
    open_lake(conn, settings)
    new = lap()
    conn.close()

    names = required_extensions(settings)
    lap()
    conn = duckdb.connect(config=load_config())
    load(conn, names)
    loads = lap()
    conn.execute(attach_sql(settings))
    conn.execute(f"USE {ALIAS}")
    attach = lap()
    conn.close()

    # For comparison: the same files with their signatures checked, which the lake's sessions leave
    # to the image build (dagster_etl_lake.attach.SESSION_CONFIG).
    conn = duckdb.connect(config={**load_config(), "allow_unsigned_extensions": False})
    lap()
    load(conn, names)
    checked = lap()
    conn.close()

    resource = LakeResource(lake_schema=SCHEMA, connection_config=load_config())
    first, again = get_connection_times(resource, lap)
    return {"new connection": new, "extension LOADs": loads, "signature checks": checked - loads,
            "ATTACH + USE": attach, "get_connection first": first,
            "get_connection again": again}


# --- the run -------------------------------------------------------------------------------------


ROWS = [  # (label, measure, key): printed in this order
    ("load: connect, CREATE TABLE AS, close", "load", "total"),
    ("  connect (lake: extensions + ATTACH)", "load", "connect"),
    ("  CREATE TABLE AS (lake: + COMMIT)", "load", "load"),
    ("  close (file: checkpoint)", "load", "close"),
    ("query: first on a fresh connection", "query", "first"),
    (f"query: again, same connection (med. {QUERY_AGAIN})", "query", "again"),
    ("fresh process: wall, start to exit", "process", "wall"),
    ("  import duckdb", "process", "import duckdb"),
    ("  import dagster_etl_lake", "process", "import dagster_etl_lake"),
    ("  connect (lake: dagster_etl_lake.connect)", "process", "connect"),
    ("  first query (count(*))", "process", "first query"),
    ("in-process: new connection (lake: open_lake)", "in_process", "new connection"),
    ("  extension LOADs, by file path", "in_process", "extension LOADs"),
    ("    signature checks (left to the build)", "in_process", "signature checks"),
    ("  ATTACH + USE", "in_process", "ATTACH + USE"),
    ("get_connection, first in the process", "in_process", "get_connection first"),
    (f"get_connection again (med. {GET_AGAIN}; lake: cached)", "in_process", "get_connection again"),
]

RATIOS = [  # (name, measure, key): the RATIO lines
    ("load", "load", "total"), ("load, connected", "load", "load"),
    ("query", "query", "first"), ("query again", "query", "again"),
    ("fresh process", "process", "wall"), ("fresh process connect", "process", "connect"),
    ("new connection", "in_process", "new connection"),
    ("get_connection again", "in_process", "get_connection again"),
]


def prepare_lake(settings) -> None:
    """What the init service does before any location runs (dagster_etl_lake.prepare, without
    its migration of old DuckDB files): the first ATTACH creates the catalog's tables, and small
    inserts are kept in the catalog. Not measured: no step pays it."""
    from dagster_etl_lake import connect
    from dagster_etl_lake.settings import ALIAS, INLINING_ROW_LIMIT

    with connect(settings) as conn:
        conn.execute(f"CALL {ALIAS}.set_option('data_inlining_row_limit', {INLINING_ROW_LIMIT})")


def one_round(round_no: int, pg, work: Path, csv_path: Path, rows: int, record) -> list[str]:
    """Every measure once, file then lake, on a fresh DuckDB file and a fresh lake; returns the
    extensions the lake loads."""
    from dagster_etl_lake.attach import required_extensions

    db = work / f"round-{round_no}.duckdb"
    lake = pg.create_lake(work / f"lake-{round_no}", dbname=f"lake_{round_no}")
    os.environ.update(lake.env())  # LakeResource and the lake's worker read it
    prepare_lake(lake.settings)

    for variant, timings in (("file", load_file(db, csv_path)), ("lake", load_lake(lake.settings, csv_path))):
        record("load", variant, {**timings, "total": sum(timings.values())})
    for variant, timings in (("file", query_file(db)), ("lake", query_lake(lake.settings))):
        if timings.pop("rows") != rows:
            raise RuntimeError(f"{variant}: the query did not count {rows:,} rows")
        record("query", variant, timings)
    for variant in ("file", "lake"):
        record("process", variant, fresh_process(variant, db, dict(os.environ)))
    record("in_process", "file", in_process_file(db))
    record("in_process", "lake", in_process_lake(lake.settings))
    db.unlink()
    shutil.rmtree(work / f"lake-{round_no}", ignore_errors=True)
    return required_extensions(lake.settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker_main(*args.worker)

    import duckdb

    from dagster_etl_lake.testing import LocalPostgres

    work = Path(tempfile.mkdtemp(prefix="bench-warehouse-"))
    pg = LocalPostgres().start()
    # measure -> variant -> key -> one value per round
    results: dict[str, dict[str, dict[str, list[float]]]] = {}

    def record(measure: str, variant: str, values: dict[str, float]) -> None:
        for key, value in values.items():
            results.setdefault(measure, {}).setdefault(variant, {}).setdefault(key, []).append(value)

    try:
        csv_path = write_csv(work / "share-prices.csv", args.rows)
        print(f"{args.rows:,} rows, CSV {csv_path.stat().st_size / 1e6:.1f} MB, {os.cpu_count()} cores,"
              f" DuckDB {duckdb.__version__}; lake: Postgres catalog, Parquet in a local folder", flush=True)
        extensions = []
        for round_no in range(1, args.repeat + 1):
            extensions = one_round(round_no, pg, work, csv_path, args.rows, record)
            load, query, process = results["load"], results["query"], results["process"]
            print(f"round {round_no}: load file {load['file']['total'][-1]:.2f} s,"
                  f" lake {load['lake']['total'][-1]:.2f} s;"
                  f" query file {query['file']['first'][-1]:.3f} s, lake {query['lake']['first'][-1]:.3f} s;"
                  f" fresh process file {process['file']['wall'][-1]:.2f} s,"
                  f" lake {process['lake']['wall'][-1]:.2f} s", flush=True)
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)

    def median(measure: str, variant: str, key: str) -> float | None:
        values = results[measure][variant].get(key)
        return statistics.median(values) if values else None

    print(f"\nmedians of {args.repeat} rounds (load average at end: {os.getloadavg()[0]:.1f});"
          f" the lake's extensions: {', '.join(extensions)}")
    print(f"{'':46s} {'file s':>8s} {'lake s':>8s} {'lake/file':>10s}")
    for label, measure, key in ROWS:
        file, lake = median(measure, "file", key), median(measure, "lake", key)
        ratio = f"{lake / file:9.1f}x" if file and lake is not None else f"{'':10s}"
        print(f"{label:46s} {'' if file is None else f'{file:8.3f}':>8s} {lake:8.3f} {ratio}".rstrip())
    print()
    for name, measure, key in RATIOS:
        print(f"RATIO {name} lake/file = {median(measure, 'lake', key) / median(measure, 'file', key):.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
