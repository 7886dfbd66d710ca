"""files_location CSV throughput, side by side with a bare DuckDB COPY of the same file, in one run.

    uv run --frozen --project files_location python bench/files_copy.py [--rows 1000000] [--repeat 5]

The location writes the lake (dagster_etl_lake.LakeResource, schema `files`; dlt's ducklake
destination). The lake here is made as the deployment makes it: a throwaway PostgreSQL 15
(dagster_etl_lake.testing, durability settings off) holds the catalog, created by
seed/initdb/lake.sql; the data are Parquet files in a local folder. The reference stays a bare
DuckDB file: what the course's loads wrote, and the least a load can cost on this disk.

Measures (medians over --repeat rounds, the variants interleaved in each round so that machine
load hits them alike). Every variant loads into a fresh target, a DuckDB file or a lake of its
own (catalog database and data folder), and includes connecting and making the rows durable
(closing the file: its checkpoint; the lake: COMMIT). The lake's variants include opening the lake
(extension LOADs, ATTACH), as the first load of a run's process does (bench/warehouse.py):
  bare_copy       the reference: a DuckDB file, CREATE TABLE + COPY ... FROM file (FORMAT csv,
                  HEADER, DATEFORMAT), close
  lake_copy       the same CREATE TABLE + COPY into the lake in one transaction (connect()
                  .. COMMIT): the lake's own cost, without the step's checks
  load_step       what the duckdb_table asset runs, on a LakeResource in schema files: header
                  check, one transaction deleting the file's previous rows, inserting the strictly
                  parsed rows with source_file and checking them against the share-price contract
                  before COMMIT
  load_step_file  the same step code on a DuckDBResource over a DuckDB file (the target it had
                  before the lake): the step's own cost next to bare_copy
  asset_step      the duckdb_table step as Dagster times it (materialize import_file+duckdb_table,
                  the location's LakeResource)
  dlt_arrow       the dlt_csv_assets pipeline (file -> Arrow table -> dlt -> the lake, dlt's
                  ducklake destination on the same catalog and data path)
  dlt_dicts       dlt fed row dicts from csv.DictReader (the course's way), into a DuckDB file as
                  the course's did, on --dict-rows rows only; compared per row
"""

import argparse
import csv
import os
import shutil
import statistics
import sys
import tempfile
import time
from itertools import count
from pathlib import Path

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dagster as dg  # noqa: E402
import dlt  # noqa: E402
import duckdb  # noqa: E402
from dagster_duckdb import DuckDBResource  # noqa: E402

from dagster_etl_lake import LakeResource, connect  # noqa: E402
from dagster_etl_lake.dlt_destination import ducklake_destination  # noqa: E402
from dagster_etl_lake.testing import LocalPostgres  # noqa: E402
from files_location import settings  # noqa: E402
from files_location.defs.file_import import duckdb_table, import_file  # noqa: E402
from files_location.dlt_sources import csv_source, with_source_file  # noqa: E402
from files_location.loading import load_file  # noqa: E402
from files_location.sample_data import write_share_prices  # noqa: E402
from files_location.warehouse import DUCKDB_CONFIG, Tag, read_arrow  # noqa: E402

TABLE_DDL = (
    "CREATE TABLE t (date DATE, share_price DOUBLE, amount DOUBLE, spend DOUBLE,"
    " shift DOUBLE, spread DOUBLE)"
)
COPY = "COPY t FROM '{}' (FORMAT csv, HEADER, DATEFORMAT '%Y/%m/%d')"


CPU: dict[str, list[float]] = {"bare_copy": [], "load_step": [], "load_step_file": []}


class Targets:
    """A fresh target per variant and round: a DuckDB file path, or a lake of its own with the
    process's environment pointed at it (LakeResource and dlt's destination read it)."""

    def __init__(self, work: Path, pg: LocalPostgres):
        self.work, self.pg, self.numbers = work, pg, count(1)
        self.made: list[Path] = []

    def file(self, name: str) -> Path:
        self.made.append(self.work / f"{name}-{next(self.numbers)}.duckdb")
        return self.made[-1]

    def lake(self, name: str):
        number = next(self.numbers)
        self.made.append(self.work / f"{name}-{number}")
        lake = self.pg.create_lake(self.made[-1], dbname=f"lake_{name}_{number}")
        os.environ.update(lake.env())
        return lake.settings

    def remove(self) -> None:
        """The data of the targets made so far (their catalog databases stay until the end)."""
        for path in self.made:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        self.made.clear()


def bare_copy(csv_path: Path, db: Path) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    conn = duckdb.connect(str(db))
    conn.execute(TABLE_DDL)
    conn.execute(COPY.format(csv_path))
    conn.close()
    CPU["bare_copy"].append(time.process_time() - cpu)
    return time.perf_counter() - start


def lake_copy(csv_path: Path, lake) -> float:
    start = time.perf_counter()
    conn = connect(lake)
    conn.execute("BEGIN TRANSACTION")
    conn.execute(TABLE_DDL)
    conn.execute(COPY.format(csv_path))
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


def lake_resource() -> LakeResource:
    """The location's resource (defs/resources.py), on the environment's lake."""
    return LakeResource(lake_schema=settings.LAKE_SCHEMA, connection_config=DUCKDB_CONFIG)


def load_step(csv_path: Path, resource: DuckDBResource, cpu_name: str) -> float:
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
    CPU[cpu_name].append(time.process_time() - cpu)
    return time.perf_counter() - start


def asset_step(csv_path: Path) -> float:
    os.environ["LANDING_DIR"] = str(csv_path.parent)
    result = dg.materialize(
        [import_file, duckdb_table],
        resources={"duckdb": lake_resource()},
        run_config={"ops": {"import_file": {"config": {"path": csv_path.name}}}},
    )
    (event,) = [e for e in result.get_step_success_events() if e.step_key == "duckdb_table"]
    return event.event_specific_data.duration_ms / 1000


def run_dlt(make_source, destination) -> float:
    with tempfile.TemporaryDirectory() as pipelines_dir:
        pipeline = dlt.pipeline(
            pipeline_name="bench",
            dataset_name="csv_data",
            destination=destination,
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


def make_variants(csv_path: Path, targets: Targets, asset: bool) -> dict:
    """name -> a measure, each on a fresh target of its own."""

    def lake_step() -> float:
        targets.lake("load_step")
        return load_step(csv_path, lake_resource(), "load_step")

    def file_step() -> float:
        db = targets.file("load_step_file")
        resource = DuckDBResource(database=str(db), connection_config=DUCKDB_CONFIG)
        return load_step(csv_path, resource, "load_step_file")

    def dlt_arrow() -> float:
        targets.lake("dlt_arrow")

        def rows():
            return csv_source(with_source_file(read_arrow(str(csv_path), csv_path.name), csv_path.name))

        return run_dlt(rows, ducklake_destination())

    def asset() -> float:
        targets.lake("asset_step")
        return asset_step(csv_path)

    variants = {
        "bare_copy": lambda: bare_copy(csv_path, targets.file("bare_copy")),
        "lake_copy": lambda: lake_copy(csv_path, targets.lake("lake_copy")),
        "load_step": lake_step,
        "load_step_file": file_step,
        "dlt_arrow": dlt_arrow,
    }
    if asset:
        variants["asset_step"] = asset
    return variants


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
        print(f"{args.rows:,} rows, {csv_path.stat().st_size / 1e6:.1f} MB, {os.cpu_count()} cores;"
              " lake: Postgres catalog, Parquet in a local folder")
        pg = LocalPostgres().start()
        try:
            targets = Targets(work, pg)
            variants = make_variants(csv_path, targets, asset=not args.skip_asset_step)
            times: dict[str, list[float]] = {name: [] for name in variants}
            for round_number in range(args.repeat):
                for name, measure in variants.items():
                    times[name].append(measure())
                    targets.remove()
                print(
                    f"round {round_number + 1}: "
                    + ", ".join(f"{n} {t[-1]:.2f}s" for n, t in times.items())
                )
            dict_seconds = run_dlt(lambda: dict_rows(csv_path, args.dict_rows),
                                   dlt.destinations.duckdb(str(work / "dicts.duckdb")))
        finally:
            pg.stop()

    median = {name: statistics.median(values) for name, values in times.items()}
    copy = median["bare_copy"]
    print()
    for name, seconds in median.items():
        print(f"{name:<14} median {seconds:6.2f} s   {seconds / copy:5.2f}x bare COPY")
    per_row_copy = copy / args.rows
    per_row_dicts = dict_seconds / args.dict_rows
    print(
        f"{'dlt_dicts':<14} {dict_seconds:6.2f} s for {args.dict_rows:,} rows"
        f"   {per_row_dicts / per_row_copy:5.0f}x bare COPY per row"
    )
    for name in ("load_step", "load_step_file"):
        cpu_ratio = statistics.median(CPU[name]) / statistics.median(CPU["bare_copy"])
        print(f"cpu time       {name}/bare_copy {cpu_ratio:.2f} (process CPU seconds, less load-sensitive)")
    print()
    print(f"RATIO load_step/bare_copy = {median['load_step'] / copy:.2f} (the lake)")
    print(f"RATIO load_step/lake_copy = {median['load_step'] / median['lake_copy']:.2f}"
          " (the step's own cost on the lake)")
    print(f"RATIO load_step_file/bare_copy = {median['load_step_file'] / copy:.2f}"
          " (target <= 1.25, set for a DuckDB file)")
    print(f"RATIO lake_copy/bare_copy = {median['lake_copy'] / copy:.2f}")
    print(f"RATIO dlt_arrow/bare_copy = {median['dlt_arrow'] / copy:.2f}")
    print(f"RATIO dlt_dicts/bare_copy per row = {per_row_dicts / per_row_copy:.0f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
