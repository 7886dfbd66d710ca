"""What users feel on the deployment (issue #10's figures), each next to a reference measured in
the same run. Starts its own stack from no volumes and removes it at the end (like the deployment
tests, it refuses to run over an existing deployment's volumes).

    uv run --frozen python bench/deployment.py      (scripts/bench.sh sets PYTHONPATH=tests)

Writes build/bench/deployment.json.
"""

import json
import statistics
import subprocess
import time
from datetime import date, timedelta

import stack  # the deployment tests' driver (tests/stack.py)
from stack import wait_healthy

IMAGE = "dagster_etl/files_location:latest"
SAMPLE = '"date","share_price","amount","spend","shift","spread"\n' + "".join(
    f'"2018/09/{10 + i:02d}","{260 + i}.77","{1000 + i}.0","270.26","278.0","260.55"\n' for i in range(10)
)
DAYS = [(date(2025, 4, 1) + timedelta(days=i)).isoformat() for i in range(90)]
results: dict[str, dict] = {}


def report(name: str, ours: float, reference: float, reference_name: str, unit: str = "s") -> None:
    results[name] = {"ours": round(ours, 2), "reference": round(reference, 2), "reference_is": reference_name}
    print(f"{name}: {ours:.2f} {unit}; {reference_name} {reference:.2f} {unit}; ratio {ours / reference:.2f}")


def docker(*args: str, **kwargs) -> str:
    return subprocess.run(["docker", *args], check=True, text=True, capture_output=True, **kwargs).stdout


def timed(command: list[str]) -> float:
    start = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    return time.monotonic() - start


def up(env: dict) -> float:
    start = time.monotonic()
    stack.compose("up", "-d", env=env)
    return time.monotonic() - start + wait_healthy(env)


def wait_for_no_runs() -> None:
    """The sensor imports the course samples right after the first start; their run containers
    are on the stack's network, which `down` can remove only once they are gone."""
    deadline = time.monotonic() + 300
    time.sleep(15)
    while docker("ps", "-q", "--filter", "label=dagster/run_id").strip():
        assert time.monotonic() < deadline, "runs still going after 300 s"
        time.sleep(1)


def mib(text: str) -> float:
    value, unit = float(text[:-3]), text[-3:]
    return value * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]


def idle_memory(env: dict) -> float:
    time.sleep(20)
    ids = [stack.service_container(env, s) for s in stack.SERVICES]
    usage = docker("stats", "--no-stream", "--format", "{{.MemUsage}}", *ids)
    return sum(mib(line.split(" / ")[0]) for line in usage.splitlines())


def bare_server_memory() -> float:
    name = "dagster_etl_bench_bare"
    docker("run", "-d", "--name", name, "--entrypoint", "sh", IMAGE, "-c",
           "printf 'import dagster as dg\\ndefs = dg.Definitions()\\n' > /tmp/empty.py"
           " && exec dagster api grpc -h 0.0.0.0 -p 4000 -f /tmp/empty.py")
    try:
        while subprocess.run(["docker", "exec", name, "bash", "-c", "</dev/tcp/127.0.0.1/4000"],
                             capture_output=True).returncode:
            time.sleep(0.2)
        time.sleep(5)
        return mib(docker("stats", "--no-stream", "--format", "{{.MemUsage}}", name).split(" / ")[0])
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)


RUN_TIMELINE = """
query Timeline($runId: ID!) {
  logsForRun(runId: $runId) {
    ... on EventConnection { events { __typename ... on MessageEvent { timestamp } } }
  }
}
"""


def event_times(run_id: str) -> dict[str, float]:
    """When each kind of event first appears in the run's event log (the run's own clock: the
    figures below are not delayed by polling the status)."""
    events = stack.graphql(RUN_TIMELINE, {"runId": run_id})["logsForRun"]["events"]
    first = {}
    for event in events:
        if "timestamp" in event:
            first.setdefault(event["__typename"], int(event["timestamp"]) / 1000)
    return first


def import_job_latency(env: dict) -> tuple[float, float]:
    stack.copy_into_volume_text("landing", SAMPLE, "bench.csv")
    started, finished, timelines, opened = [], [], [], []
    for _ in range(5):
        before = stack.connections_opened(env)
        submitted = time.time()
        run_id = stack.launch("files_location", "import_job",
                              {"ops": {"import_file": {"config": {"path": "bench.csv"}}}})
        while (status := stack.client().get_run_status(run_id).value) not in stack.TERMINAL:
            time.sleep(0.2)
        assert status == "SUCCESS", status
        opened.append(stack.connections_opened(env) - before)
        first = event_times(run_id)
        started.append(first["RunStartEvent"] - submitted)
        finished.append(first["RunSuccessEvent"] - submitted)
        # Where a run's start goes: queued -> dequeued (the daemon's loop), -> starting (the
        # container launched), -> started (the run worker has imported dagster and the location).
        timelines.append({name: first[name] - first["RunEnqueuedEvent"] for name in
                          ("RunDequeuedEvent", "RunStartingEvent", "RunStartEvent", "RunSuccessEvent")
                          if name in first})
    median_timeline = {name: round(statistics.median(t[name] for t in timelines), 2) for name in timelines[0]}
    results["import_job timeline from enqueued (median s)"] = median_timeline
    print(f"import_job timeline from enqueued (median s): {median_timeline}")
    results["Postgres connections opened during one import_job run"] = {"ours": statistics.median(opened)}
    print(f"Postgres connections opened during one import_job run (whole stack): {statistics.median(opened)}")
    return statistics.median(started), statistics.median(finished)


def idle_connections_per_second(env: dict) -> float:
    before = stack.connections_opened(env)
    time.sleep(20)
    return (stack.connections_opened(env) - before) / 20


def file_drop_latency(env: dict) -> float:
    """Seconds from a file dropped into the landing folder until an analyst reads its rows in the
    lake (each look is a throwaway container, stack.lake_query: a few seconds' resolution)."""
    timings = []
    for i in range(3):
        name = f"bench-{i}-{int(time.time())}.csv"
        t0 = time.monotonic()
        stack.copy_into_volume_text("landing", SAMPLE, name)
        while True:
            try:
                [(rows,)] = stack.lake_query("select count(*) from files.raw_dynamic_partition_data"
                                             f" where source_file = '{name}'", env)
            except AssertionError:  # compose run failed: no such table before the first load
                rows = 0
            if rows:
                break
            assert time.monotonic() - t0 < 300, f"no rows for {name}"
            time.sleep(0.5)
        timings.append(time.monotonic() - t0)
    return statistics.median(timings)


def backfill_wall_time(env: dict) -> tuple[float, float, int]:
    """Seconds until every day's rows are in the lake, until the backfill reports done, and runs."""
    from test_concurrency import BACKFILL, LAUNCH_BACKFILL

    result = stack.graphql(LAUNCH_BACKFILL, {"params": {
        "partitionNames": DAYS, "assetSelection": [{"path": ["asteroids_partition"]}]}})
    backfill_id = result["launchPartitionBackfill"]["backfillId"]
    t0, data_done = time.monotonic(), None
    while True:
        data = stack.graphql(BACKFILL, {"id": backfill_id})
        runs = data["runsOrError"]["results"]
        if data_done is None and runs and all(r["status"] == "SUCCESS" for r in runs):
            [(days,)] = stack.lake_query(
                "select count(distinct approach_date) from api.asteroids_partition", env)
            if days == len(DAYS):
                data_done = time.monotonic() - t0
        if data["partitionBackfillOrError"]["status"] not in {"REQUESTED"} and data_done:
            return data_done, time.monotonic() - t0, len(runs)
        assert time.monotonic() - t0 < 900, data
        time.sleep(1)


def built_stack() -> dict:
    """The environment of a bench's own stack, its images built. No schedule runs amid the
    timings: not the tests' every-minute one, nor the hourly lake maintenance (once a year)."""
    env = {**stack.test_environment(), "DATE_RANGE_SCHEDULE_CRON": "", "LAKE_MAINTENANCE_CRON": "0 0 1 1 *"}
    if stack.existing_volumes():
        raise SystemExit("a deployment's volumes exist; run `make clean` first (the bench starts from none)")
    stack.run(["scripts/base-image.sh"])
    stack.compose("build", env=env)
    return env


def remove_stack(env: dict) -> None:
    # scripts/down.sh: removes run containers still in flight too, then the stack and its volumes.
    subprocess.run([str(stack.ROOT / "scripts" / "down.sh"), "--volumes"], env=env, check=False)


def write_results(name: str) -> None:
    out = stack.ROOT / "build" / "bench" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


def main() -> None:
    env = built_stack()
    container_start = statistics.median(
        timed(["docker", "run", "--rm", "--entrypoint", "true", IMAGE]) for _ in range(3))
    try:
        report("up, no volumes -> all healthy", up(env), container_start, "bare container start")
        wait_for_no_runs()
        stack.compose("down", env=env)
        report("up, existing volumes -> all healthy", up(env), container_start, "bare container start")
        docker("run", "-d", "--name", stack.FAKE_APIS,
               "--network", stack.NETWORK, "--network-alias", "fake-apis",
               "-v", f"{stack.ROOT / 'api_location/tests/fake_apis.py'}:/fake_apis.py:ro",
               "dagster_etl/api_location:latest",
               "python", "/fake_apis.py", "--host", "0.0.0.0", "--port", "8080", "--feed-fails-every", "7")
        report(f"idle memory, {len(stack.SERVICES)} services", idle_memory(env), bare_server_memory(),
               "one bare grpc server", "MiB")
        import_dagster = statistics.median(
            timed(["docker", "run", "--rm", "--entrypoint", "python", IMAGE, "-c", "import dagster"])
            for _ in range(3))
        opened = idle_connections_per_second(env)
        results["Postgres connections opened per second, idle stack"] = {"ours": opened}
        print(f"Postgres connections opened per second, idle stack: {opened:.1f}")
        started, finished = import_job_latency(env)
        report("import_job submit -> STARTED", started, import_dagster,
               "`import dagster` in a fresh container")
        report("import_job submit -> SUCCESS", finished, import_dagster,
               "`import dagster` in a fresh container")
        report("file drop -> rows in the lake", file_drop_latency(env), import_dagster,
               "`import dagster` in a fresh container")
        data_done, backfill_done, runs = backfill_wall_time(env)
        report("90-day backfill (feed 500 on every 7th request) -> every day in the lake", data_done,
               import_dagster, "`import dagster` in a fresh container")
        report("90-day backfill -> backfill reported complete", backfill_done, import_dagster,
               "`import dagster` in a fresh container")
        results["90-day backfill runs"] = {"ours": runs}
        print(f"90-day backfill runs: {runs}")
    finally:
        subprocess.run(["docker", "rm", "-f", stack.FAKE_APIS], capture_output=True)
        remove_stack(env)
    write_results("deployment")


if __name__ == "__main__":
    main()
