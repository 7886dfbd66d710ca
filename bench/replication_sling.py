"""replication_location throughput and memory: the DuckDB engine and Sling (the product's tuned
settings and the course's untuned ones) next to DuckDB's bare postgres scanner, on the same
Postgres, in one run.

    uv run --frozen --project replication_location python bench/replication_sling.py \
        [--rows 2000000] [--increment 10000] [--repeat 3]

Starts a local PostgreSQL 15 (dagster_etl_lake.testing, as replication_location's tests do),
creates the source schema from seed/initdb/source-schema.sql, fills data.orders with --rows orders
and reads it through a read-only role. The location writes the lake; the lake here is made as the
deployment makes it, in the same Postgres (a catalog database of its own per variant and round,
made by seed/initdb/lake.sql) with its Parquet files in a local folder. The reference stays a bare
DuckDB file. Every variant, interleaved in each round so that machine load hits them alike:
  full         copy all orders into a fresh target (a DuckDB file, or a fresh lake)
  incremental  then --increment new orders are added at the source and merged by order_id
Variants:
  scanner       the reference: DuckDB's postgres extension into a DuckDB file: ATTACH ... (TYPE
                postgres); CREATE TABLE AS; incremental = rows past max(order_date)
                deleted+inserted by order_id in one transaction
  scanner_lake  the same SQL into the lake (dagster_etl_lake.connect(), the table
                replication.data_orders, each phase one transaction): the lake's own cost
  engine        replication_location's DuckDB engine (duckdb_engine.replicate) on the orders
                stream of replication.yaml switched to `meta: {engine: duckdb}`, writing the lake
                through the location's LakeResource as a run does: full = its first run (bulk
                copy), incremental = its merge (with loaded-at column, NULL-key rows, new-column
                check)
  sling_course  the Sling CLI with the course's replication (no tuning, default connection) into
                a DuckDB file, the course's target
  sling_tuned   the Sling CLI with replication_location's replication.yaml (orders stream) and
                its connections exactly as the product builds them (defs/resources.py): Sling's
                ducklake target on the lake
Times are wall clock of the whole CLI run / of the worker's work after its imports, including
opening the target (for the lake: extension LOADs and ATTACH, which a run's first step pays);
medians are printed with each variant's ratio to the scanner of the same round. Every variant runs
in processes of its own (scanner, scanner_lake and engine: a small Python worker; the scanner's
imports only duckdb, the lake's workers import dagster_etl_lake, which imports dagster as every
run's process has); peak memory is the largest sum of RSS over the variant's process tree,
sampled every 20 ms (for the workers also their own ru_maxrss), including the interpreter or CLI
itself; the workers' RSS after their imports is printed beside it.
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
from importlib import resources
from pathlib import Path

import duckdb
import yaml

# Light imports only at module level: the workers import this file, and their memory is measured
# (each worker's own imports are inside it; the parent's heavier ones inside the functions).

ROOT = Path(__file__).resolve().parents[1]
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
LAKE_SCHEMA = "replication"  # replication_location.settings.LAKE_SCHEMA: the product's tables' schema
LAKE_VARIANTS = {"scanner_lake", "engine", "sling_tuned"}


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


class Target:
    """Where a variant writes in one round: a DuckDB file, or a lake of its own (`lake`, a
    dagster_etl_lake.testing.LocalLake) that its processes reach through lake.env()."""

    def __init__(self, folder: Path, lake=None):
        self.folder, self.lake = folder, lake
        self.path = folder / "replication.duckdb"

    def env(self) -> dict[str, str]:
        return self.lake.env() if self.lake else {}

    def count_orders(self) -> int:
        query = "SELECT count(DISTINCT order_id) FROM {}.data_orders"
        if self.lake is None:
            with duckdb.connect(str(self.path), read_only=True) as conn:
                return conn.execute(query.format("main")).fetchone()[0]
        from dagster_etl_lake import connect
        from dagster_etl_lake.settings import READER

        os.environ.update(self.env())  # PGPASSFILE: libpq reads the reader's password from it
        with connect(self.lake.settings.as_role(READER), read_only=True) as conn:
            return conn.execute(query.format(LAKE_SCHEMA)).fetchone()[0]


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
    """scanner, scanner_lake or engine, run by a Python worker process of its own (this file,
    --worker)."""

    def __init__(self, name: str, port: int):
        self.name, self.port = name, port

    def run(self, phase: str, target: Target) -> tuple[float, int, int]:
        command = [sys.executable, __file__, "--worker", self.name, phase, str(target.path),
                   "--port", str(self.port)]
        _, peak, stdout = run_measured(command, {**os.environ, **target.env()})
        reported = json.loads(stdout.strip().splitlines()[-1])
        peak = max(peak, reported["maxrss_kib"] * 1024)
        return reported["seconds"], peak, reported["imported_rss_kib"] * 1024


def _dsn(port: int) -> str:
    return f"host=127.0.0.1 port={port} dbname=bench user={REPLICATOR} password={REPLICATOR_PASSWORD}"


def _postgres_extension() -> Path:
    """The wheel's postgres extension, found as dagster_etl_lake.extensions finds it (importing
    that package would import dagster into the reference's process)."""
    package = Path(str(resources.files("duckdb_extension_postgres_scanner")))
    return package / "extensions" / f"v{duckdb.__version__}" / "postgres_scanner.duckdb_extension"


def _scanner_sql(conn, phase: str, table: str) -> None:
    """The least SQL that does the job; `conn` has the source attached as pg."""
    if phase == "full":
        conn.execute(f"CREATE TABLE {table} AS SELECT * FROM pg.data.orders")
        return
    [(checkpoint,)] = conn.execute(f"SELECT max(order_date) FROM {table}").fetchall()
    conn.execute("CREATE TEMP TABLE changed AS SELECT * FROM pg.data.orders"
                 f" WHERE order_date > TIMESTAMP '{checkpoint}'")
    conn.execute(f"DELETE FROM {table} WHERE order_id IN (SELECT order_id FROM changed)")
    conn.execute(f"INSERT INTO {table} SELECT * FROM changed")


def scanner(phase: str, path: Path, port: int, imported) -> None:
    """The reference: DuckDB's postgres extension and the least SQL, into a DuckDB file."""
    imported()
    with duckdb.connect(str(path), config={"autoinstall_known_extensions": False}) as conn:
        conn.execute(f"LOAD '{_postgres_extension()}'")
        conn.execute(f"ATTACH '{_dsn(port)}' AS pg (TYPE postgres, READ_ONLY)")
        conn.execute("BEGIN")
        _scanner_sql(conn, phase, "main.data_orders")
        conn.execute("COMMIT")


def scanner_lake(phase: str, path: Path, port: int, imported) -> None:
    """The same SQL into the lake of the environment (its catalog already needs the extension)."""
    from dagster_etl_lake import connect

    imported()
    with connect() as conn:
        conn.execute(f"ATTACH '{_dsn(port)}' AS pg (TYPE postgres, READ_ONLY)")
        conn.execute("BEGIN")
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {LAKE_SCHEMA}")
        _scanner_sql(conn, phase, f"{LAKE_SCHEMA}.data_orders")
        conn.execute("COMMIT")


def engine(phase: str, path: Path, port: int, imported) -> None:
    """The product's engine on the product's orders stream, switched as a user switches it, on the
    location's resource (defs/resources.py's `duckdb`) as its asset uses it."""
    from dagster_etl_lake import LakeResource
    from dagster_etl_lake.attach import SESSION_CONFIG
    from replication_location import duckdb_engine, replication_config
    from replication_location.settings import LAKE_SCHEMA as PRODUCT_SCHEMA

    imported()
    config = yaml.safe_load(PRODUCT_REPLICATION.read_text())
    config["streams"] = {"data.orders": {**config["streams"]["data.orders"], "meta": {"engine": "duckdb"}}}
    [orders] = replication_config.duckdb_streams(config)
    source = duckdb_engine.PostgresSource("127.0.0.1", port, "bench", REPLICATOR, REPLICATOR_PASSWORD)
    lake = LakeResource(lake_schema=PRODUCT_SCHEMA, connection_config=dict(SESSION_CONFIG))
    with lake.get_connection() as conn:
        duckdb_engine.attach_source(conn, source)
        duckdb_engine.replicate(conn, orders, datetime.now(UTC))
        duckdb_engine.detach_source(conn)


WORKERS = {"scanner": scanner, "scanner_lake": scanner_lake, "engine": engine}


def _rss_kib() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def worker_main(name: str, phase: str, path: Path, port: int) -> None:
    mark = {}

    def imported() -> None:  # the work's clock starts after the worker's own imports
        mark["rss"], mark["started"] = _rss_kib(), time.perf_counter()

    WORKERS[name](phase, path, port, imported)
    seconds = time.perf_counter() - mark["started"]
    print(json.dumps({"seconds": seconds, "imported_rss_kib": mark["rss"],
                      "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


class SlingCli:
    def __init__(self, name: str, replication: dict, env: dict, target_env):
        self.name, self.replication, self.env = name, replication, env
        self.target_env = target_env  # Target -> the target connection's variables

    def run(self, phase: str, target: Target) -> tuple[float, int, int | None]:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
            yaml.safe_dump(self.replication, handle)
        env = {**os.environ, **self.env, **target.env(), **self.target_env(target)}
        try:
            seconds, peak, _ = run_measured([env["SLING_BINARY"], "run", "-r", handle.name], env)
        finally:
            os.unlink(handle.name)
        return seconds, peak, None


def sling_variants(pg, home: Path) -> list[SlingCli]:
    from dagster_sling import SlingConnectionResource, SlingResource

    from replication_location.binaries import offline_environment
    from replication_location.defs import resources as connections

    base_env = offline_environment(home)
    os.environ.update({  # what the product's MY_POSTGRES reads at run time
        "SOURCE_POSTGRES_HOST": "127.0.0.1", "SOURCE_POSTGRES_PORT": str(pg.port),
        "SOURCE_POSTGRES_DB": "bench", "SOURCE_POSTGRES_USER": REPLICATOR,
        "SOURCE_POSTGRES_PASSWORD": REPLICATOR_PASSWORD,
    })
    product_postgres = SlingResource(connections=[connections.source_postgres()]).prepare_environment()

    def product_lake(target: Target) -> dict[str, str]:
        os.environ.update(target.env())  # lake_target() reads the lake's settings when called
        lake = SlingConnectionResource(name="MY_LAKE", **connections.lake_target())
        return {"MY_LAKE": SlingResource(connections=[lake]).prepare_environment()["MY_LAKE"]}

    def plain_duckdb(target: Target) -> dict[str, str]:
        return {"MY_DUCKDB": json.dumps({"type": "duckdb", "instance": str(target.path)})}

    course_postgres = json.dumps({"type": "postgres", "host": "127.0.0.1", "port": pg.port,
                                  "database": "bench", "user": REPLICATOR, "password": REPLICATOR_PASSWORD,
                                  "sslmode": "disable"})
    tuned = yaml.safe_load(PRODUCT_REPLICATION.read_text())
    tuned["streams"] = {"data.orders": tuned["streams"]["data.orders"]}
    tuned["defaults"].pop("meta", None)
    return [
        SlingCli("sling_course", COURSE_REPLICATION, {**base_env, "MY_POSTGRES": course_postgres},
                 plain_duckdb),
        SlingCli("sling_tuned", tuned, {**base_env, **product_postgres}, product_lake),
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

    from dagster_etl_lake.testing import LocalPostgres

    work = Path(tempfile.mkdtemp(prefix="bench-replication-"))
    pg = LocalPostgres().start()
    phases = ("full", "incremental")
    try:
        started = time.perf_counter()
        make_source(pg, args.rows)
        print(f"source: {args.rows:,} orders loaded in {time.perf_counter() - started:.1f} s", flush=True)
        variants = [Worker("scanner", pg.port), Worker("scanner_lake", pg.port), Worker("engine", pg.port),
                    *sling_variants(pg, work / "home")]
        times = {(v.name, phase): [] for v in variants for phase in phases}
        peaks = {(v.name, phase): [] for v in variants for phase in phases}
        imported = {v.name: [] for v in variants}
        for round_no in range(1, args.repeat + 1):
            for variant in variants:
                folder = work / variant.name / str(round_no)
                folder.mkdir(parents=True)
                lake = (pg.create_lake(folder / "lake", dbname=f"lake_{variant.name}_{round_no}")
                        if variant.name in LAKE_VARIANTS else None)
                target = Target(folder, lake)
                for phase in phases:
                    if phase == "incremental":
                        add_orders(pg, args.rows, args.increment)
                    seconds, peak, imported_rss = variant.run(phase, target)
                    times[(variant.name, phase)].append(seconds)
                    peaks[(variant.name, phase)].append(peak)
                    if imported_rss is not None:
                        imported[variant.name].append(imported_rss)
                expected = args.rows + args.increment
                copied = target.count_orders()
                if copied != expected:
                    raise RuntimeError(f"{variant.name}: {copied} orders copied, {expected} at the source")
                drop_added_orders(pg, args.rows)
                shutil.rmtree(folder)
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
          "peak RSS: max of the rounds; targets: scanner and sling_course a DuckDB file, the others the lake")
    print(f"{'variant':14s} {'full s':>8s} {'x scanner':>10s} {'incr s':>8s} {'x scanner':>10s}"
          f" {'full MiB':>9s} {'incr MiB':>9s} {'imports MiB':>12s}")
    for variant in variants:
        full, incr = median[(variant.name, "full")], median[(variant.name, "incremental")]
        imports = f"{max(imported[variant.name]) / 2**20:12.0f}" if imported[variant.name] else ""
        print(f"{variant.name:14s} {full:8.2f} {full / median[('scanner', 'full')]:9.1f}x"
              f" {incr:8.2f} {incr / median[('scanner', 'incremental')]:9.1f}x"
              f" {peak[(variant.name, 'full')] / 2**20:9.0f}"
              f" {peak[(variant.name, 'incremental')] / 2**20:9.0f} {imports}".rstrip())
    for phase in phases:
        ratio = median[("engine", phase)] / median[("scanner", phase)]
        on_lake = median[("engine", phase)] / median[("scanner_lake", phase)]
        print(f"goal engine <= 2x scanner, {phase}: {ratio:.2f}x {'met' if ratio <= 2 else 'NOT met'}"
              f" (the goal was set on a DuckDB file; engine/scanner_lake, both on the lake: {on_lake:.2f}x)")


if __name__ == "__main__":
    main()
