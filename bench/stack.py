"""What users feel on the running deployment, next to references measured in the same run.

Run against a stack started with `make up` (it adds runs and files to it):
    uv run python bench/stack.py

Prints, for each measure, ours and the reference and the ratio:
- code-server start: a location's code server from container start to a passing gRPC health
  check, vs a bare `dagster api grpc` server over an empty Definitions in the same image;
- idle memory of each service (docker stats), vs that bare server;
- run launch latency: GraphQL submit -> run STARTED and -> SUCCESS for import_job on a small file
  (median of 3), vs the same two assets materialized in-process in a fresh container (no queue,
  no launcher) — what the deployment adds on top of the work itself;
- file drop -> rows in DuckDB through landing_folder_sensor;
- image sizes.
"""

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import stack  # noqa: E402  (the deployment tests' driver)

IMAGE = "dagster_etl/files_location:latest"
# The gRPC health query `dagster api grpc-health-check` sends, without importing dagster, so
# that polling does not slow the server it is timing.
HEALTH_CHECK = (
    "import grpc; from grpc_health.v1 import health_pb2 as h, health_pb2_grpc as g; "
    "s = g.HealthStub(grpc.insecure_channel('127.0.0.1:4000')).Check(h.HealthCheckRequest(service='DagsterApi'), timeout=5); "
    "raise SystemExit(s.status != h.HealthCheckResponse.SERVING)"
)
EMPTY_DEFS = "import dagster as dg\ndefs = dg.Definitions()\n"
SAMPLE = '"date","share_price","amount","spend","shift","spread"\n' + "".join(
    f'"2018/09/{10 + i:02d}","{260 + i}.77","{1000 + i}.0","270.26","278.0","260.55"\n' for i in range(10)
)


def docker(*args: str, **kwargs) -> str:
    return subprocess.run(["docker", *args], check=True, text=True, capture_output=True, **kwargs).stdout


def time_to_grpc_healthy(name: str, command: list[str]) -> tuple[float, str]:
    """Seconds from `docker run` to a passing health check, and the server's memory then."""
    subprocess.run(["docker", "rm", "-f", name], capture_output=True)
    start = time.monotonic()
    docker("run", "-d", "--name", name, IMAGE, *command)
    try:
        while subprocess.run(["docker", "exec", name, "python", "-c", HEALTH_CHECK], capture_output=True).returncode:
            time.sleep(0.1)
        elapsed = time.monotonic() - start
        time.sleep(5)
        memory = docker("stats", "--no-stream", "--format", "{{.MemUsage}}", name).split(" / ")[0]
        return elapsed, memory
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)


def run_latency() -> tuple[float, float]:
    stack.copy_into_volume_text("landing", SAMPLE, "bench.csv")
    started, finished = [], []
    for _ in range(3):
        t0 = time.monotonic()
        run_id = stack.launch("files_location", "import_job", {"ops": {"import_file": {"config": {"path": "bench.csv"}}}})
        while stack.client().get_run_status(run_id).value in {"QUEUED", "NOT_STARTED", "STARTING"}:
            time.sleep(0.2)
        started.append(time.monotonic() - t0)
        assert stack.wait_for_run(run_id) == "SUCCESS"
        finished.append(time.monotonic() - t0)
    return statistics.median(started), statistics.median(finished)


def in_process_reference() -> float:
    """The same import, materialized in-process in a fresh container of the same image."""
    script = (
        "import time, dagster as dg; t = time.monotonic(); "
        "from files_location.definitions import defs; d = defs(); "
        "r = dg.materialize([d.get_assets_def('import_file'), d.get_assets_def('duckdb_table')], "
        "resources=d.resources, run_config={'ops': {'import_file': {'config': {'path': 'bench.csv'}}}}); "
        "assert r.success"
    )
    start = time.monotonic()
    docker("run", "--rm", "-v", "dagster_etl_landing:/opt/dagster/landing", "-v",
           "dagster_etl_bench_warehouse:/opt/dagster/warehouse", IMAGE, "python", "-c", script)
    elapsed = time.monotonic() - start
    subprocess.run(["docker", "volume", "rm", "dagster_etl_bench_warehouse"], capture_output=True)
    return elapsed


def file_drop_latency() -> float:
    name = f"bench-{int(time.time())}.csv"
    t0 = time.monotonic()
    stack.copy_into_volume_text("landing", SAMPLE, name)
    while time.monotonic() - t0 < 600:
        try:
            [(rows,)] = stack.warehouse_query(
                "files_location", "files.duckdb",
                f"select count(*) from raw_dynamic_partition_data where source_file = '{name}'")
        except subprocess.CalledProcessError:  # no table yet, or a load holds the file right now
            rows = 0
        if rows:
            return time.monotonic() - t0
        time.sleep(1)
    raise SystemExit(f"no rows for {name} after 600 s")


def main() -> None:
    env = stack.test_environment()
    ours, ours_mem = time_to_grpc_healthy("dagster_etl_bench_location", [
        "dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "4000", "-m", "files_location.definitions"])
    bare, bare_mem = time_to_grpc_healthy("dagster_etl_bench_bare", [
        "sh", "-c", f"printf '{EMPTY_DEFS}' > /tmp/empty.py && dagster api grpc -h 0.0.0.0 -p 4000 -f /tmp/empty.py"])
    print(f"code-server start to healthy: files_location {ours:.1f} s, bare server {bare:.1f} s, ratio {ours / bare:.2f}")
    print(f"code-server memory after start: files_location {ours_mem}, bare server {bare_mem}")

    ids = {s: stack.compose("ps", "-q", s, env=env).stdout.strip() for s in stack.SERVICES}
    usage = docker("stats", "--no-stream", "--format", "{{.ID}} {{.MemUsage}}", *ids.values())
    for line in usage.splitlines():
        cid, mem = line.split(" ", 1)
        service = next(s for s, full in ids.items() if full.startswith(cid))
        print(f"idle memory {service}: {mem.split(' / ')[0]}")

    started, finished = run_latency()
    reference = in_process_reference()
    print(f"import_job: submit -> STARTED {started:.1f} s, -> SUCCESS {finished:.1f} s (median of 3); "
          f"in-process in a fresh container {reference:.1f} s; ratio {finished / reference:.2f}")
    print(f"file drop -> rows in DuckDB via landing_folder_sensor: {file_drop_latency():.1f} s")

    for name in ("dagster", "postgres", *stack.LOCATIONS):
        size = int(docker("image", "inspect", "-f", "{{.Size}}", f"dagster_etl/{name}:latest"))
        print(f"image dagster_etl/{name}: {size / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
