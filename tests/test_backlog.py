"""A vendor's backlog: 2,000 files dropped into the landing folder at once, among them files that
break the contract, one still being written, one with an odd but valid name and one replaced while
the backlog drains. Every file is imported once per version, in far fewer runs than files."""

import io
import subprocess
import tarfile
import time

from stack import graphql, lake_query, run, wait_for_run
from test_deployment import HEADER, wait_for_landing_imports

GOOD = 1_990
ODD = "Q3 report (final) [v2], ünïcode 100% 'ok'.csv"
GROWING_ROWS = 15


def rows(count: int, seed: int) -> str:
    return "".join(f'"2018/{1 + (seed + i) % 12:02d}/{1 + i % 28:02d}","{seed % 997 + i + 1}.25",'
                   f'"{seed}","2","3","4"\n' for i in range(count))


ROW = '"2018/09/26","1.5","1","2","3","4"\n'
BAD = {  # file -> (content, the rule it breaks)
    "bad-encoding.csv": (
        (HEADER + ROW).encode() + '"2018/09/25","1","2","3","4","caf\xe9"\n'.encode("latin-1"), "encoding"),
    "bad-columns.csv": (b'"date","share_price","amount","spend","shift"\n"2018/09/28","1","2","3","4"\n',
                        "columns"),
    "bad-fields.csv": ((HEADER + ROW + '"2018/09/25","1.5","1"\n').encode(), "row_fields"),
    "bad-no-rows.csv": (HEADER.encode(), "rows"),
    "bad-date.csv": ((HEADER + ROW + '"2018/02/30","1.5","1","2","3","4"\n').encode(), "dates"),
    "bad-number.csv": ((HEADER + ROW + '"2018/09/25","1.5","12abc","2","3","4"\n').encode(), "types"),
    "bad-price.csv": ((HEADER + ROW + '"2018/09/25","0","1","2","3","4"\n').encode(), "share_price"),
}


def good_files() -> dict[str, int]:
    return {f"backlog-{i:04d}.csv": 1 + i % 9 for i in range(GOOD)}


def drop(files: dict[str, bytes]) -> None:
    """All at once, as a sync job does: unpacked aside in the volume, then moved in with one mv."""
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    subprocess.run(
        ["docker", "run", "--rm", "-i", "-v", "dagster_etl_landing:/target", "--entrypoint", "sh",
         "dagster_etl/files_location:latest", "-c",
         "mkdir /target/.incoming && tar -x -C /target/.incoming"
         " && mv /target/.incoming/* /target/ && rmdir /target/.incoming"],
        input=archive.getvalue(), check=True, capture_output=True)


def replace(name: str, content: str) -> None:
    subprocess.run(
        ["docker", "run", "--rm", "-i", "-v", "dagster_etl_landing:/target", "--entrypoint", "sh",
         "dagster_etl/files_location:latest", "-c",
         f"cat > /target/.r.tmp && mv /target/.r.tmp '/target/{name}'"],
        input=content.encode(), check=True, capture_output=True)


def start_slow_writer() -> str:
    """A file written in place, a row a second: never imported before it is whole."""
    script = (f"printf '%s' '{HEADER.strip()}' > /target/growing.csv; echo >> /target/growing.csv;"
              f" for i in $(seq 1 {GROWING_ROWS}); do"
              " echo '\"2018/10/01\",\"7.5\",\"1\",\"2\",\"3\",\"4\"' >> /target/growing.csv; sleep 1; done")
    return run(["docker", "run", "-d", "-v", "dagster_etl_landing:/target", "--entrypoint", "sh",
                "dagster_etl/files_location:latest", "-c", script]).stdout.strip()


BATCH_RUNS = """
query {
  runsOrError(filter: {pipelineName: "import_landing_job"}) { ... on Runs { results { runId status } } }
}
"""


def batch_runs() -> dict[str, str]:
    return {r["runId"]: r["status"] for r in graphql(BATCH_RUNS)["runsOrError"]["results"]}


def test_two_thousand_files_at_once_each_version_imported_once_in_few_runs(stack):
    good = good_files()
    files = {name: (HEADER + rows(count, i)).encode() for i, (name, count) in enumerate(good.items())}
    files.update({name: content for name, (content, _) in BAD.items()})
    files[ODD] = (HEADER + rows(3, 7)).encode()
    files["replaced.csv"] = (HEADER + rows(3, 11)).encode()
    runs_before = set(batch_runs())
    writer = start_slow_writer()
    started = time.monotonic()
    try:
        drop(files)
        # Replaced once its first version is in: while the rest of the backlog still drains.
        wait_for_landing_imports(["replaced.csv"], timeout=600)
        replace("replaced.csv", HEADER + rows(6, 12))
        assert run(["docker", "wait", writer]).stdout.strip() == "0"
        everything = [*files, "growing.csv"]
        imports = wait_for_landing_imports(everything, timeout=900)
        while len(imports["replaced.csv"]) < 2:
            time.sleep(3)
            imports = wait_for_landing_imports(everything, timeout=300)
    finally:
        run(["docker", "rm", "-f", writer], check=False)
    elapsed = time.monotonic() - started
    time.sleep(10)  # a few more ticks: nothing is imported again

    ledger = lake_query(
        "select file, status, rows, rule from files.landing_imports"
        " where file like 'backlog-%' or file like 'bad-%' or file in ('growing.csv', 'replaced.csv')"
        " or file like 'Q3 report%' order by file, imported_at")
    by_file: dict[str, list[tuple]] = {}
    for file, status, count, rule in ledger:
        by_file.setdefault(file, []).append((status, count, rule))
    expected = {name: [("loaded", count, None)] for name, count in good.items()}
    expected.update({name: [("refused", 0, rule)] for name, (_, rule) in BAD.items()})
    expected[ODD] = [("loaded", 3, None)]
    expected["replaced.csv"] = [("loaded", 3, None), ("loaded", 6, None)]
    expected["growing.csv"] = [("loaded", GROWING_ROWS, None)]  # once, whole
    assert by_file == expected

    loaded = dict(lake_query(
        "select source_file, count(*) from files.raw_dynamic_partition_data"
        " where source_file like 'backlog-%' or source_file like 'bad-%'"
        " or source_file in ('growing.csv', 'replaced.csv') or source_file like 'Q3 report%' group by 1"))
    assert loaded == {**good, ODD: 3, "replaced.csv": 6, "growing.csv": GROWING_ROWS}

    runs = {run_id: status for run_id, status in batch_runs().items() if run_id not in runs_before}
    statuses = {run_id: wait_for_run(run_id) for run_id in runs}
    print(f"{len(files) + 1} files: {len(runs)} runs, {elapsed:.0f} s")
    assert set(statuses.values()) == {"SUCCESS"}, statuses
    assert len(runs) <= 20, f"{len(runs)} runs for {len(files) + 1} files"
