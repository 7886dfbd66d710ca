"""replication_location throughput and memory: the DuckDB engine and Sling (the product's tuned
settings and the course's untuned ones) next to DuckDB's bare postgres scanner, on the same
Postgres, in one run.

    uv run --project replication_location python bench/replication_sling.py [--rows 2000000] [--repeat 3]

Starts a local PostgreSQL 15 (as replication_location's tests do), creates the source schema
from seed/initdb/source-schema.sql, fills data.orders with --rows orders and reads it through a
read-only role. Every variant, interleaved in each round so that machine load hits them alike:
  full         copy all orders into a fresh DuckDB file
  incremental  then --increment new orders are added at the source and merged by order_id
Variants:
  scanner       DuckDB's postgres extension: ATTACH ... (TYPE postgres); CREATE TABLE AS;
                incremental = rows past max(order_date) deleted+inserted by order_id in one
                transaction
  engine        replication_location's DuckDB engine (duckdb_engine.replicate) on the orders
                stream of replication.yaml switched to `meta: {engine: duckdb}`: full = its first
                run (bulk copy), incremental = its merge (with loaded-at column, NULL-key rows,
                new-column check)
  sling_course  the Sling CLI with the course's replication (no tuning, default connection)
  sling_tuned   the Sling CLI with replication_location's replication.yaml (orders stream) and
                its connections exactly as the product builds them (defs/resources.py)
Times are wall clock of the whole CLI run / DuckDB connect..close; medians are printed with
each variant's ratio to the scanner of the same round. Every variant runs in processes of its
own (scanner and engine: a small Python worker that imports only duckdb and the engine); peak
memory is the largest sum of RSS over the variant's process tree, sampled every 20 ms (for the
workers also their own ru_maxrss), including the interpreter or CLI itself.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import yaml

# Light imports only at module level: the scanner and engine workers import this file, and their
# memory is measured (the parent's heavier imports are inside the functions that need them).
from replication_location import duckdb_engine, replication_config
from replication_location.binaries import postgres_extension

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "replication_location" / "tests"))

PRODUCT_REPLICATION = (
    ROOT / "replication_location/src/replication_location/defs/postgres_replication/replication.yaml"
)
COURSE_REPLICATION = {
    "source": "MY_POSTGRES",
    "target": "MY_DUCKDB",
    "defaults": {"mode": "full-refresh", "object": "{stream_schema}_{stream_table}"},
    "streams": {
        "data.orders": {"mode": "incremental", "primary_key": ["order_id"], "update_key": "order_date"},
    },
}
ORDERS = """
    INSERT INTO data.orders (customer_id, product_id, quantity, total_amount, order_date)
    SELECT 1 + (i * 7919) % 1000, 1 + (i * 31) % 200, q, q * 10.25,
           timestamp '2025-01-01' + i * interval '{step} seconds'
    FROM generate_series({first}::bigint, {last}::bigint) AS i, LATERAL (SELECT (1 + i % 5)::int AS q) AS x
"""
REPLICATOR, REPLICATOR_PASSWORD = "replicator", "bench-only-password"


def make_source(pg, rows: int) -> None:
    pg.create_source("bench", seed=False)
    with pg.connect("bench") as conn:
        conn.execute("INSERT INTO data.customers (first_name, last_name, email)"
                     " SELECT 'F', 'L', format('c%s@example.com', i) FROM generate_series(1, 1000) AS i")
        conn.execute("INSERT INTO data.products (name, description, price)"
                     " SELECT format('Product %s', i), 'bench', 10.25 FROM generate_series(1, 200) AS i")
        conn.execute(ORDERS.format(first=1, last=rows, step=15))
        conn.execute("VACUUM ANALYZE data.orders")
    pg.create_replication_role("bench", REPLICATOR, REPLICATOR_PASSWORD)


def add_orders(pg, rows: int, increment: int) -> None:
    with pg.connect("bench") as conn:  # later than every existing order_date
        conn.execute(ORDERS.format(first=rows + 1, last=rows + increment, step=15))


def drop_added_orders(pg, rows: int) -> None:
    with pg.connect("bench") as conn:
        conn.execute("DELETE FROM data.orders WHERE order_id > %s", (rows,))


def count_orders(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute("SELECT count(DISTINCT order_id) FROM main.data_orders").fetchone()[0]


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and every process below it (0 once it is gone)."""
    total, pending = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while pending:
        current = pending.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def run_measured(command: list[str], env: dict) -> tuple[float, int, str]:
    """Runs `command`; returns its wall time, the peak RSS of its process tree and its stdout."""
    peak, done = [0], threading.Event()
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    stdout, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed:\n{stdout[-3000:]}\n{stderr[-3000:]}")
    return elapsed, peak[0], stdout


class Worker:
    """Scanner or engine, run by a Python worker process of its own (this file, --worker)."""

    def __init__(self, name: str, port: int):
        self.name, self.port = name, port

    def run(self, phase: str, path: Path) -> tuple[float, int]:
        _, peak, stdout = run_measured(
            [sys.executable, __file__, "--worker", self.name, phase, str(path), "--port", str(self.port)],
            os.environ.copy())
        reported = json.loads(stdout.strip().splitlines()[-1])
        return reported["seconds"], max(peak, reported["maxrss_kib"] * 1024)


def _source(port: int) -> duckdb_engine.PostgresSource:
    return duckdb_engine.PostgresSource("127.0.0.1", port, "bench", REPLICATOR, REPLICATOR_PASSWORD)


def scanner(phase: str, path: Path, port: int) -> None:
    """The reference: DuckDB's postgres extension and the least SQL that does the job."""
    s = _source(port)
    dsn = f"host={s.host} port={s.port} dbname={s.database} user={s.user} password={s.password}"
    with duckdb.connect(str(path), config={"autoinstall_known_extensions": False}) as conn:
        conn.execute(f"LOAD '{postgres_extension()}'")
        conn.execute(f"ATTACH '{dsn}' AS pg (TYPE postgres, READ_ONLY)")
        if phase == "full":
            conn.execute("CREATE TABLE main.data_orders AS SELECT * FROM pg.data.orders")
            return
        [(checkpoint,)] = conn.execute("SELECT max(order_date) FROM main.data_orders").fetchall()
        conn.execute("BEGIN")
        conn.execute("CREATE TEMP TABLE changed AS SELECT * FROM pg.data.orders"
                     f" WHERE order_date > TIMESTAMP '{checkpoint}'")
        conn.execute("DELETE FROM main.data_orders WHERE order_id IN (SELECT order_id FROM changed)")
        conn.execute("INSERT INTO main.data_orders SELECT * FROM changed")
        conn.execute("COMMIT")


def engine(phase: str, path: Path, port: int) -> None:
    """The product's engine on the product's orders stream, switched as a user switches it."""
    config = yaml.safe_load(PRODUCT_REPLICATION.read_text())
    config["streams"] = {"data.orders": {**config["streams"]["data.orders"], "meta": {"engine": "duckdb"}}}
    [orders] = replication_config.duckdb_streams(config)
    with duckdb.connect(str(path), config={"autoinstall_known_extensions": False}) as conn:
        duckdb_engine.attach_source(conn, _source(port))
        duckdb_engine.replicate(conn, orders, datetime.now(UTC))


WORKERS = {"scanner": scanner, "engine": engine}


def worker_main(name: str, phase: str, path: Path, port: int) -> None:
    started = time.perf_counter()
    WORKERS[name](phase, path, port)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


class SlingCli:
    def __init__(self, name: str, replication: dict, env: dict, duckdb_connection):
        self.name, self.replication, self.env = name, replication, env
        self.duckdb_connection = duckdb_connection  # path -> MY_DUCKDB json

    def run(self, phase: str, path: Path) -> tuple[float, int]:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
            yaml.safe_dump(self.replication, handle)
        env = {**os.environ, **self.env, "MY_DUCKDB": self.duckdb_connection(path)}
        try:
            seconds, peak, _ = run_measured([env["SLING_BINARY"], "run", "-r", handle.name], env)
        finally:
            os.unlink(handle.name)
        return seconds, peak


def sling_variants(pg, home: Path) -> list[SlingCli]:
    from dagster_sling import SlingResource

    from replication_location.binaries import offline_environment
    from replication_location.defs import resources as connections

    base_env = offline_environment(home)
    os.environ.update({  # what the product's MY_POSTGRES reads at run time
        "SOURCE_POSTGRES_HOST": "127.0.0.1", "SOURCE_POSTGRES_PORT": str(pg.port),
        "SOURCE_POSTGRES_DB": "bench", "SOURCE_POSTGRES_USER": REPLICATOR,
        "SOURCE_POSTGRES_PASSWORD": REPLICATOR_PASSWORD,
    })
    product_postgres = SlingResource(connections=[connections.source_postgres()]).prepare_environment()

    def product_duckdb(path: Path) -> str:
        os.environ["WAREHOUSE_DIR"] = str(path.parent)
        assert path.name == "replication.duckdb"
        return SlingResource(connections=[connections.warehouse_duckdb()]).prepare_environment()["MY_DUCKDB"]

    def plain_duckdb(path: Path) -> str:
        return json.dumps({"type": "duckdb", "instance": str(path)})

    course_postgres = json.dumps({"type": "postgres", "host": "127.0.0.1", "port": pg.port,
                                  "database": "bench", "user": REPLICATOR, "password": REPLICATOR_PASSWORD,
                                  "sslmode": "disable"})
    tuned = yaml.safe_load(PRODUCT_REPLICATION.read_text())
    tuned["streams"] = {"data.orders": tuned["streams"]["data.orders"]}
    tuned["defaults"].pop("meta", None)
    return [
        SlingCli("sling_course", COURSE_REPLICATION, {**base_env, "MY_POSTGRES": course_postgres},
                 plain_duckdb),
        SlingCli("sling_tuned", tuned, {**base_env, **product_postgres}, product_duckdb),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--increment", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", nargs=3, metavar=("VARIANT", "PHASE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        name, phase, path = args.worker
        return worker_main(name, phase, Path(path), args.port)

    from local_postgres import LocalPostgres

    work = Path(tempfile.mkdtemp(prefix="bench-replication-"))
    pg = LocalPostgres().start()
    phases = ("full", "incremental")
    try:
        started = time.perf_counter()
        make_source(pg, args.rows)
        print(f"source: {args.rows:,} orders loaded in {time.perf_counter() - started:.1f} s", flush=True)
        variants = [Worker("scanner", pg.port), Worker("engine", pg.port), *sling_variants(pg, work / "home")]
        times = {(v.name, phase): [] for v in variants for phase in phases}
        peaks = {(v.name, phase): [] for v in variants for phase in phases}
        for round_no in range(1, args.repeat + 1):
            for variant in variants:
                path = work / variant.name / str(round_no) / "replication.duckdb"
                path.parent.mkdir(parents=True)
                for phase in phases:
                    if phase == "incremental":
                        add_orders(pg, args.rows, args.increment)
                    seconds, peak = variant.run(phase, path)
                    times[(variant.name, phase)].append(seconds)
                    peaks[(variant.name, phase)].append(peak)
                expected = args.rows + args.increment
                assert count_orders(path) == expected, f"{variant.name}: {count_orders(path)} != {expected}"
                drop_added_orders(pg, args.rows)
                path.unlink()
                print(f"round {round_no} {variant.name:13s}"
                      + "".join(f"  {phase} {times[(variant.name, phase)][-1]:6.2f} s"
                                f" {peaks[(variant.name, phase)][-1] / 2**20:5.0f} MiB" for phase in phases),
                      flush=True)
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)

    median = {key: statistics.median(values) for key, values in times.items()}
    peak = {key: max(values) for key, values in peaks.items()}
    print(f"\n{args.rows:,} orders, then {args.increment:,} new ones; medians of {args.repeat} rounds "
          f"on {os.cpu_count()} cores (load average at end: {os.getloadavg()[0]:.1f}); "
          "peak RSS: max of the rounds")
    print(f"{'variant':14s} {'full s':>8s} {'x scanner':>10s} {'incr s':>8s} {'x scanner':>10s}"
          f" {'full MiB':>9s} {'incr MiB':>9s}")
    for variant in variants:
        full, incr = median[(variant.name, "full")], median[(variant.name, "incremental")]
        print(f"{variant.name:14s} {full:8.2f} {full / median[('scanner', 'full')]:9.1f}x"
              f" {incr:8.2f} {incr / median[('scanner', 'incremental')]:9.1f}x"
              f" {peak[(variant.name, 'full')] / 2**20:9.0f}"
              f" {peak[(variant.name, 'incremental')] / 2**20:9.0f}")
    for phase in phases:
        ratio = median[("engine", phase)] / median[("scanner", phase)]
        print(f"goal engine <= 2x scanner, {phase}: {ratio:.2f}x {'met' if ratio <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
