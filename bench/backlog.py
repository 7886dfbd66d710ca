"""A landing backlog through the deployment (issue #19), next to its reference measured in the same
run: one DuckDB read of the same files with the contract's fixed schema, in the location's image,
plus one run start (an import_job's submit -> STARTED); one file, 1,000 and 10,000. The read is
timed twice: counting the rows (DuckDB then skips converting the values) and reading them into a
table (what a load does). Then the landing sensor's ticks with 100,000 files waiting. Starts its
own stack from no volumes and removes it at the end.

    PYTHONPATH=tests uv run --frozen python bench/backlog.py      (scripts/bench.sh)

Writes build/bench/backlog.json.
"""

import io
import subprocess
import tarfile
import time

import stack  # the deployment tests' driver (tests/stack.py)
from deployment import (
    IMAGE,
    SAMPLE,
    built_stack,
    event_times,
    remove_stack,
    report,
    results,
    up,
    wait_for_no_runs,
    write_results,
)

HEADER, *LINES = SAMPLE.splitlines(keepends=True)
ROWS_PER_FILE = 8  # the course's files hold 8-11 rows

# The reference, in the image the runs use: the files written to a volume of their own (as the
# landing folder is: a container's own filesystem is fuse-overlayfs here, four times slower), then
# read once.
REFERENCE = """
import duckdb, os, sys, time
n, header, line, per_file = sys.argv[1:]
n, per_file = int(n), int(per_file)
os.makedirs("/ref/files")
paths = []
for i in range(n):
    paths.append(f"/ref/files/ref-{i:06d}.csv")
    with open(paths[-1], "w") as f:
        f.write(header + line * per_file)
columns = {"date": "VARCHAR", "share_price": "DOUBLE", "amount": "DOUBLE", "spend": "DOUBLE",
           "shift": "DOUBLE", "spread": "DOUBLE"}
conn = duckdb.connect()
scan = "read_csv(?, header=true, auto_detect=false, delim=',', quote='\\"', escape='\\"', columns=?)"
start = time.monotonic()
rows = conn.execute(f"SELECT count(*) FROM {scan}", [paths, columns]).fetchone()[0]
counted = time.monotonic() - start
start = time.monotonic()
conn.execute(f"CREATE TABLE rows AS SELECT * FROM {scan}", [paths, columns])
read = time.monotonic() - start
assert rows == n * per_file == conn.execute("SELECT count(*) FROM rows").fetchone()[0], rows
print(counted, read)
"""


def reference_read(count: int) -> tuple[float, float]:
    """Seconds to count the rows of `count` files, and to read them into a table."""
    volume = "dagster_etl_bench_reference"
    try:
        out = subprocess.run(["docker", "run", "--rm", "-u", "0", "-v", f"{volume}:/ref",
                              "--entrypoint", "python", IMAGE, "-c", REFERENCE,
                              str(count), HEADER, LINES[0], str(ROWS_PER_FILE)],
                             check=True, text=True, capture_output=True)
    finally:
        subprocess.run(["docker", "volume", "rm", "-f", volume], capture_output=True)
    counted, read = out.stdout.strip().splitlines()[-1].split()
    return float(counted), float(read)


def run_start() -> float:
    """Submit -> STARTED of one run (the run's own clock), the median of three."""
    stack.copy_into_volume_text("landing", SAMPLE, "bench-run-start.csv")
    wait_for_no_runs()  # the sensor's own batch of it
    times = []
    for _ in range(3):
        submitted = time.time()
        run_id = stack.launch("files_location", "import_job",
                              {"ops": {"import_file": {"config": {"path": "bench-run-start.csv"}}}})
        while stack.client().get_run_status(run_id).value not in stack.TERMINAL:
            time.sleep(0.2)
        times.append(event_times(run_id)["RunStartEvent"] - submitted)
    return sorted(times)[1]


def drop(prefix: str, count: int) -> float:
    """`count` course-sized files unpacked aside in the landing volume, then moved in with one mv;
    returns when they are all in the folder (time.time())."""
    archive = io.BytesIO()
    content = (HEADER + "".join(LINES[:ROWS_PER_FILE])).encode()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for i in range(count):
            info = tarfile.TarInfo(f"{prefix}-{i:06d}.csv")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    subprocess.run(["docker", "run", "--rm", "-i", "-v", "dagster_etl_landing:/target", "--entrypoint", "sh",
                    IMAGE, "-c", "mkdir /target/.in && tar -x -C /target/.in"
                    " && find /target/.in -name '*.csv' -exec mv -t /target {} + && rmdir /target/.in"],
                   input=archive.getvalue(), check=True, capture_output=True)
    return time.time()


BATCH_RUNS = """
query {
  runsOrError(filter: {pipelineName: "import_landing_job"}) { ... on Runs { results { runId status } } }
}
"""


def through_the_deployment(prefix: str, count: int) -> tuple[float, int]:
    """Seconds from the files being in the folder until the last batch that loaded them succeeded
    (its own event log's clock), and the runs it took."""
    before = {r["runId"] for r in stack.graphql(BATCH_RUNS)["runsOrError"]["results"]}
    dropped = drop(prefix, count)
    deadline = time.monotonic() + 1800
    while True:
        [(loaded,)] = stack.lake_query("select count(distinct file) from files.landing_imports"
                                       f" where file like '{prefix}-%' and status = 'loaded'")
        if loaded == count:
            break
        assert time.monotonic() < deadline, f"{loaded} of {count} loaded after 1800 s"
        time.sleep(1)
    runs = [r for r in stack.graphql(BATCH_RUNS)["runsOrError"]["results"] if r["runId"] not in before]
    for r in runs:
        while stack.client().get_run_status(r["runId"]).value not in stack.TERMINAL:
            time.sleep(0.5)
    finished = max(event_times(r["runId"])["RunSuccessEvent"] for r in runs)
    return finished - dropped, len(runs)


TICKS = """
query Ticks($selector: SensorSelector!) {
  sensorOrError(sensorSelector: $selector) {
    ... on Sensor { sensorState { ticks(limit: 100) { timestamp endTimestamp status runIds } } }
  }
}
"""
SENSOR = {"repositoryLocationName": "files_location", "repositoryName": "__repository__",
          "sensorName": "landing_folder_sensor"}


def ticks_with_waiting(count: int) -> tuple[list[float], list[float], float]:
    """The durations of the ticks that requested runs and of those that did not, from `count`
    files dropped until they are all in the lake, and the seconds that took."""
    after = time.time()
    took, _ = through_the_deployment("waiting", count)
    state = stack.graphql(TICKS, {"selector": SENSOR})["sensorOrError"]["sensorState"]
    ticks = [t for t in state["ticks"] if t["timestamp"] >= after and t["endTimestamp"]]
    durations = [(round(t["endTimestamp"] - t["timestamp"], 2), bool(t["runIds"]))
                 for t in reversed(ticks)]
    return [d for d, runs in durations if runs], [d for d, runs in durations if not runs], took


def main() -> None:
    env = built_stack()
    try:
        up(env)
        wait_for_no_runs()
        start = run_start()
        results["run start (import_job submit -> STARTED)"] = {"ours": round(start, 2)}
        print(f"run start: {start:.2f} s")
        for count in (1, 1_000, 10_000):
            counted, read = reference_read(count)
            took, runs = through_the_deployment(f"backlog{count}", count)
            report(f"{count} file(s) dropped -> all in the lake ({runs} runs)", took, read + start,
                   "one fixed-schema DuckDB read of them into a table + one run start")
            report(f"{count} file(s) dropped -> all in the lake, against counting", took, counted + start,
                   "one fixed-schema DuckDB count(*) over them + one run start")
        with_runs, without, took = ticks_with_waiting(100_000)
        longest = max(with_runs + without)
        results["landing sensor ticks, 100,000 files waiting"] = {
            "longest": longest, "requesting_runs": with_runs, "others": without,
            "all_in_the_lake": round(took, 1)}
        print(f"longest landing sensor tick with 100,000 files waiting: {longest:.2f} s (Dagster's tick"
              f" timeout is 60 s); ticks that requested runs {with_runs}, others {without};"
              f" all 100,000 in the lake after {took:.0f} s")
    finally:
        remove_stack(env)
    write_results("backlog")


if __name__ == "__main__":
    main()
