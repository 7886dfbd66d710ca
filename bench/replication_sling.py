"""replication_location throughput: Sling (the product's tuned settings and the course's
untuned ones) next to DuckDB's postgres scanner, on the same Postgres, in one run.

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
  sling_course  the Sling CLI with the course's replication (no tuning, default connection)
  sling_tuned   the Sling CLI with replication_location's replication.yaml (orders stream) and
                its connections exactly as the product builds them (defs/connections.py)
Times are wall clock of the whole CLI run / DuckDB connect..close; medians are printed with
each Sling variant's ratio to the scanner of the same round.
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

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "replication_location" / "tests"))

import duckdb  # noqa: E402
from dagster_sling import SlingConnectionResource, SlingResource  # noqa: E402
from local_postgres import LocalPostgres  # noqa: E402
from replication_location.binaries import offline_environment  # noqa: E402
from replication_location.defs import connections  # noqa: E402

PRODUCT_REPLICATION = (
    ROOT / "replication_location/src/replication_location/defs/postgres_replication/replication.yaml"
)
COURSE_REPLICATION = {
    "source": "MY_POSTGRES",
    "target": "MY_DUCKDB",
    "defaults": {"mode": "full-refresh", "object": "{stream_schema}_{stream_table}"},
    "streams": {"data.orders": {"mode": "incremental", "primary_key": ["order_id"], "update_key": "order_date"}},
}
ORDERS = """
    INSERT INTO data.orders (customer_id, product_id, quantity, total_amount, order_date)
    SELECT 1 + (i * 7919) % 1000, 1 + (i * 31) % 200, q, q * 10.25,
           timestamp '2025-01-01' + i * interval '{step} seconds'
    FROM generate_series({first}::bigint, {last}::bigint) AS i, LATERAL (SELECT (1 + i % 5)::int AS q) AS x
"""
REPLICATOR, REPLICATOR_PASSWORD = "replicator", "bench-only-password"


def make_source(pg: LocalPostgres, rows: int) -> None:
    pg.create_source("bench", seed=False)
    with pg.connect("bench") as conn:
        conn.execute("INSERT INTO data.customers (first_name, last_name, email)"
                     " SELECT 'F', 'L', format('c%s@example.com', i) FROM generate_series(1, 1000) AS i")
        conn.execute("INSERT INTO data.products (name, description, price)"
                     " SELECT format('Product %s', i), 'bench', 10.25 FROM generate_series(1, 200) AS i")
        conn.execute(ORDERS.format(first=1, last=rows, step=15))
        conn.execute("VACUUM ANALYZE data.orders")
    pg.create_replication_role("bench", REPLICATOR, REPLICATOR_PASSWORD)


def add_orders(pg: LocalPostgres, rows: int, increment: int) -> None:
    with pg.connect("bench") as conn:  # later than every existing order_date
        conn.execute(ORDERS.format(first=rows + 1, last=rows + increment, step=15))


def drop_added_orders(pg: LocalPostgres, rows: int) -> None:
    with pg.connect("bench") as conn:
        conn.execute("DELETE FROM data.orders WHERE order_id > %s", (rows,))


def count_orders(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute("SELECT count(DISTINCT order_id) FROM main.data_orders").fetchone()[0]


class Scanner:
    name = "scanner"

    def __init__(self, pg: LocalPostgres, home: Path):
        self.dsn = (f"host=127.0.0.1 port={pg.port} dbname=bench user={REPLICATOR} "
                    f"password={REPLICATOR_PASSWORD}")
        self.extensions = home / ".duckdb" / "extensions"

    def _connect(self, path: Path):
        conn = duckdb.connect(str(path))
        conn.execute(f"SET extension_directory = '{self.extensions}'")
        conn.execute("SET autoinstall_known_extensions = false")
        conn.execute("LOAD postgres_scanner")
        conn.execute(f"ATTACH '{self.dsn}' AS pg (TYPE postgres, READ_ONLY)")
        return conn

    def full(self, path: Path) -> None:
        with self._connect(path) as conn:
            conn.execute("CREATE TABLE main.data_orders AS SELECT * FROM pg.data.orders")

    def incremental(self, path: Path) -> None:
        with self._connect(path) as conn:
            [(checkpoint,)] = conn.execute("SELECT max(order_date) FROM main.data_orders").fetchall()
            conn.execute("BEGIN")
            conn.execute("CREATE TEMP TABLE changed AS SELECT * FROM pg.data.orders"
                         f" WHERE order_date > TIMESTAMP '{checkpoint}'")
            conn.execute("DELETE FROM main.data_orders WHERE order_id IN (SELECT order_id FROM changed)")
            conn.execute("INSERT INTO main.data_orders SELECT * FROM changed")
            conn.execute("COMMIT")


class SlingCli:
    def __init__(self, name: str, replication: dict, env: dict, duckdb_connection):
        self.name, self.replication, self.env = name, replication, env
        self.duckdb_connection = duckdb_connection  # path -> MY_DUCKDB json

    def _run(self, path: Path) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
            yaml.safe_dump(self.replication, handle)
        env = {**os.environ, **self.env, "MY_DUCKDB": self.duckdb_connection(path)}
        done = subprocess.run([env["SLING_BINARY"], "run", "-r", handle.name], env=env,
                              capture_output=True, text=True)
        os.unlink(handle.name)
        if done.returncode != 0:
            raise RuntimeError(f"{self.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")

    full = incremental = _run


def sling_variants(pg: LocalPostgres, home: Path) -> list[SlingCli]:
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

    course_postgres = json.dumps({"type": "postgres", "host": "127.0.0.1", "port": pg.port, "database": "bench",
                                  "user": REPLICATOR, "password": REPLICATOR_PASSWORD, "sslmode": "disable"})
    tuned = yaml.safe_load(PRODUCT_REPLICATION.read_text())
    tuned["streams"] = {"data.orders": tuned["streams"]["data.orders"]}
    tuned["defaults"].pop("meta", None)
    return [
        SlingCli("sling_course", COURSE_REPLICATION, {**base_env, "MY_POSTGRES": course_postgres}, plain_duckdb),
        SlingCli("sling_tuned", tuned, {**base_env, **product_postgres}, product_duckdb),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--increment", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-replication-"))
    pg = LocalPostgres().start()
    try:
        started = time.perf_counter()
        make_source(pg, args.rows)
        print(f"source: {args.rows:,} orders loaded in {time.perf_counter() - started:.1f} s", flush=True)
        variants = [Scanner(pg, work / "home"), *sling_variants(pg, work / "home")]
        times = {(v.name, phase): [] for v in variants for phase in ("full", "incremental")}
        for round_no in range(1, args.repeat + 1):
            for variant in variants:
                path = work / variant.name / str(round_no) / "replication.duckdb"
                path.parent.mkdir(parents=True)
                for phase in ("full", "incremental"):
                    if phase == "incremental":
                        add_orders(pg, args.rows, args.increment)
                    started = time.perf_counter()
                    getattr(variant, phase)(path)
                    times[(variant.name, phase)].append(time.perf_counter() - started)
                expected = args.rows + args.increment
                assert count_orders(path) == expected, f"{variant.name}: {count_orders(path)} != {expected}"
                drop_added_orders(pg, args.rows)
                path.unlink()
                print(f"round {round_no} {variant.name:13s} full {times[(variant.name, 'full')][-1]:6.2f} s"
                      f"  incremental {times[(variant.name, 'incremental')][-1]:5.2f} s", flush=True)
    finally:
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)

    median = {key: statistics.median(values) for key, values in times.items()}
    print(f"\n{args.rows:,} orders, then {args.increment:,} new ones; medians of {args.repeat} rounds "
          f"on {os.cpu_count()} cores (load average at end: {os.getloadavg()[0]:.1f})")
    print(f"{'variant':14s} {'full s':>8s} {'x scanner':>10s} {'incr s':>8s} {'x scanner':>10s}")
    for variant in variants:
        full, incr = median[(variant.name, "full")], median[(variant.name, "incremental")]
        print(f"{variant.name:14s} {full:8.2f} {full / median[('scanner', 'full')]:9.1f}x"
              f" {incr:8.2f} {incr / median[('scanner', 'incremental')]:9.1f}x")


if __name__ == "__main__":
    main()
