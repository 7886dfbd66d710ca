"""files_location CSV throughput, side by side with a bare DuckDB COPY of the same file, in one run.

    uv run --project files_location python bench/files_copy.py [--rows 1000000] [--repeat 5]

Measures (medians over --repeat rounds, the variants interleaved in each round so that machine
load hits them alike; every variant loads into a fresh DuckDB file and includes connect and
close, i.e. the checkpoint that makes the rows durable):
  bare_copy     CREATE TABLE + COPY ... FROM file (FORMAT csv, HEADER, DATEFORMAT)
  load_step     what the duckdb_table asset runs: header check, one transaction deleting the
                file's previous rows, inserting the strictly parsed rows with source_file and
                checking them against the share-price contract before COMMIT
  asset_step    the duckdb_table step as Dagster times it (materialize import_file+duckdb_table)
  dlt_arrow     the dlt_csv_assets pipeline (file -> Arrow table -> dlt -> DuckDB)
  dlt_dicts     dlt fed row dicts from csv.DictReader (the course's way), on --dict-rows rows
                only; compared per row
"""

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dagster as dg  # noqa: E402
import dlt  # noqa: E402
import duckdb  # noqa: E402
from dagster_duckdb import DuckDBResource  # noqa: E402

from files_location.defs.file_import import duckdb_table, import_file  # noqa: E402
from files_location.dlt_sources import csv_source, with_source_file  # noqa: E402
from files_location.loading import load_file  # noqa: E402
from files_location.sample_data import write_share_prices  # noqa: E402
from files_location.warehouse import DUCKDB_CONFIG, Tag, read_arrow  # noqa: E402

TABLE_DDL = (
    "CREATE TABLE t (date DATE, share_price DOUBLE, amount DOUBLE, spend DOUBLE,"
    " shift DOUBLE, spread DOUBLE)"
)


CPU: dict[str, list[float]] = {"bare_copy": [], "load_step": []}


def bare_copy(csv_path: Path, db: Path) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    conn = duckdb.connect(str(db))
    conn.execute(TABLE_DDL)
    conn.execute(f"COPY t FROM '{csv_path}' (FORMAT csv, HEADER, DATEFORMAT '%Y/%m/%d')")
    conn.close()
    CPU["bare_copy"].append(time.process_time() - cpu)
    return time.perf_counter() - start


def load_step(csv_path: Path, db: Path) -> float:
    resource = DuckDBResource(database=str(db), connection_config=DUCKDB_CONFIG)
    start, cpu = time.perf_counter(), time.process_time()
    # A generator of Dagster events (the contract's check result, the materialization).
    list(load_file(
        resource,
        table="raw_data",
        source=str(csv_path),
        file=csv_path.name,
        tags=[Tag("source_file", "VARCHAR", csv_path.name)],
        key="source_file",
    ))
    CPU["load_step"].append(time.process_time() - cpu)
    return time.perf_counter() - start


def asset_step(csv_path: Path, db: Path) -> float:
    os.environ["LANDING_DIR"] = str(csv_path.parent)
    result = dg.materialize(
        [import_file, duckdb_table],
        resources={"duckdb": DuckDBResource(database=str(db), connection_config=DUCKDB_CONFIG)},
        run_config={"ops": {"import_file": {"config": {"path": csv_path.name}}}},
    )
    (event,) = [e for e in result.get_step_success_events() if e.step_key == "duckdb_table"]
    return event.event_specific_data.duration_ms / 1000


def run_dlt(make_source, db: Path) -> float:
    with tempfile.TemporaryDirectory() as pipelines_dir:
        pipeline = dlt.pipeline(
            pipeline_name="bench",
            dataset_name="csv_data",
            destination=dlt.destinations.duckdb(str(db)),
            pipelines_dir=pipelines_dir,
        )
        start = time.perf_counter()
        pipeline.run(make_source())  # reading the file (checked) is part of the measure
        return time.perf_counter() - start


def dict_rows(csv_path: Path, limit: int):
    @dlt.resource(name="load_csv")
    def load_csv():
        with open(csv_path, newline="", encoding="utf-8") as file:
            for number, row in enumerate(csv.DictReader(file)):
                if number == limit:
                    break
                yield row

    return load_csv


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dict-rows", type=int, default=50_000)
    parser.add_argument("--skip-asset-step", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="files-bench-") as tmp:
        work = Path(tmp)
        (work / "landing").mkdir()
        csv_path = write_share_prices(work / "landing" / "bench.csv", args.rows)
        print(f"{args.rows:,} rows, {csv_path.stat().st_size / 1e6:.1f} MB, {os.cpu_count()} cores")

        variants = {
            "bare_copy": lambda db: bare_copy(csv_path, db),
            "load_step": lambda db: load_step(csv_path, db),
            "dlt_arrow": lambda db: run_dlt(
                lambda: csv_source(
                    with_source_file(read_arrow(str(csv_path), csv_path.name), csv_path.name)
                ),
                db,
            ),
        }
        if not args.skip_asset_step:
            variants["asset_step"] = lambda db: asset_step(csv_path, db)
        times: dict[str, list[float]] = {name: [] for name in variants}
        for round_number in range(args.repeat):
            for name, measure in variants.items():
                db = work / f"{name}-{round_number}.duckdb"
                times[name].append(measure(db))
                db.unlink()
            print(
                f"round {round_number + 1}: "
                + ", ".join(f"{n} {t[-1]:.2f}s" for n, t in times.items())
            )
        dict_seconds = run_dlt(
            lambda: dict_rows(csv_path, args.dict_rows), work / "dicts.duckdb"
        )

    median = {name: statistics.median(values) for name, values in times.items()}
    copy = median["bare_copy"]
    print()
    for name, seconds in median.items():
        print(f"{name:<11} median {seconds:6.2f} s   {seconds / copy:5.2f}x bare COPY")
    per_row_copy = copy / args.rows
    per_row_dicts = dict_seconds / args.dict_rows
    print(
        f"dlt_dicts   {dict_seconds:6.2f} s for {args.dict_rows:,} rows"
        f"   {per_row_dicts / per_row_copy:5.0f}x bare COPY per row"
    )
    cpu_ratio = statistics.median(CPU["load_step"]) / statistics.median(CPU["bare_copy"])
    print(f"cpu time    load_step/bare_copy {cpu_ratio:.2f} (process CPU seconds, less load-sensitive)")
    print()
    print(f"RATIO load_step/bare_copy = {median['load_step'] / copy:.2f} (target <= 1.25)")
    print(f"RATIO dlt_arrow/bare_copy = {median['dlt_arrow'] / copy:.2f}")
    print(f"RATIO dlt_dicts/bare_copy per row = {per_row_dicts / per_row_copy:.0f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
