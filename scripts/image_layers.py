"""Writes deploy/docker/layers/*.txt: the packages that several images install alike, pinned as
the lock files pin them, so that each Dockerfile installs them in a layer of its own before its
`uv sync` and Docker stores that layer once for every image built on it.

    uv run python scripts/image_layers.py            (after a `uv lock` in any project)
    uv run python scripts/image_layers.py --check    (tests/test_consistency.py)

Layers stack in this order, each holding what the ones below do not:
  dagster  dagster, dagster-postgres, dagster-docker      every Dagster image
  duckdb   what the lake package needs: dagster-duckdb,   every Dagster image
           duckdb, its CLI and the lake's extensions
  dlt      dagster-dlt, dlt[duckdb,parquet]               files_location and api_location
Each image's own lock must pin every package of its layers at the same version
(tests/test_consistency.py); `uv sync` then finds them installed and adds only the rest.
"""

import functools
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS_DIR = ROOT / "deploy" / "docker" / "layers"
# layer -> (top-level requirements as name or name[extra], the projects whose images use it)
ALL_IMAGES = [".", "files_location", "api_location", "replication_location", "maintenance_location"]
LAYERS = {
    "dagster": (["dagster", "dagster-postgres", "dagster-docker"], ALL_IMAGES),
    "duckdb": (["dagster-etl-lake"], ALL_IMAGES),
    "dlt": (["dagster-dlt", "dlt[duckdb,parquet]"], ["files_location", "api_location"]),
}
SOURCE_PROJECT = "files_location"  # its lock holds every layer's packages


@functools.cache  # each lock is read once, however many layers it is checked against
def lock(project: str) -> dict[str, dict]:
    return {p["name"]: p for p in tomllib.loads((ROOT / project / "uv.lock").read_text())["package"]}


def closure(packages: dict[str, dict], roots: list[str]) -> set[str]:
    """Every package the roots need, on any platform (markers are applied by the export)."""
    seen, todo = set(), list(roots)
    while todo:
        name, _, extras = todo.pop().partition("[")
        package = packages[name]
        optional = package.get("optional-dependencies", {})
        edges = package.get("dependencies", []) + [
            edge for extra in filter(None, extras.rstrip("]").split(",")) for edge in optional.get(extra, [])]
        seen.add(name)
        todo += [edge["name"] for edge in edges if edge["name"] not in seen]
    return seen


def exported_pins(project: str) -> dict[str, str]:
    """name -> requirement line (`name==version ; marker`) as `uv sync --no-dev` installs them."""
    out = subprocess.run(["uv", "export", "--frozen", "--project", str(ROOT / project), "--no-dev",
                          "--no-hashes", "--no-emit-project", "--no-header", "--no-annotate"],
                         check=True, capture_output=True, text=True).stdout
    return {line.split("==")[0]: line for line in out.splitlines() if "==" in line}


def layer_files() -> dict[str, str]:
    packages, pins = lock(SOURCE_PROJECT), exported_pins(SOURCE_PROJECT)
    below: set[str] = set()
    files = {}
    for name, (roots, _) in LAYERS.items():
        members = closure(packages, roots) - below
        below |= members
        lines = sorted(pins[member] for member in members if member in pins)
        header = f"# {name} layer: written by scripts/image_layers.py from {SOURCE_PROJECT}/uv.lock\n"
        files[f"{name}.txt"] = header + "\n".join(lines) + "\n"
    return files


def problems() -> list[str]:
    """Layer files out of date, or a lock that pins a layer's package at another version."""
    found = []
    for file_name, text in layer_files().items():
        path = LAYERS_DIR / file_name
        if not path.is_file() or path.read_text() != text:
            found.append(f"{path.relative_to(ROOT)} is out of date: run scripts/image_layers.py")
    for name, (_, projects) in LAYERS.items():
        text = (LAYERS_DIR / f"{name}.txt").read_text()
        pins = [line.split(" ;")[0].split("==") for line in text.splitlines() if "==" in line]
        for project in projects:
            packages = lock(project)
            found += [f"{project}/uv.lock pins {package} {packages.get(package, {}).get('version')}, "
                      f"the {name} layer {version}"
                      for package, version in pins if packages.get(package, {}).get("version") != version]
    return found


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit("\n".join(problems()) or None)
    LAYERS_DIR.mkdir(parents=True, exist_ok=True)
    for file_name, text in layer_files().items():
        (LAYERS_DIR / file_name).write_text(text)
        print(f"{LAYERS_DIR / file_name}: {text.count(chr(10)) - 1} packages")
