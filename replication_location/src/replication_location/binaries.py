"""The Sling binary, the DuckDB CLI and the DuckDB extensions, all shipped as wheels.

Sling drives the DuckDB CLI (DUCKDB_PATH), which loads what its ATTACH of the lake needs (ducklake,
postgres_scanner for the catalog, httpfs for an S3 data path) and json from
``~/.duckdb/extensions/v<version>/<platform>/``, and otherwise tries to download them. The image
runs this module at build time (``python -m replication_location.binaries /home/dagster``, and
``--link /opt/dagster/bin`` for the paths SLING_BINARY/DUCKDB_PATH name), so that a run never
downloads anything; the tests and the benchmark do the same into a temporary HOME. The location's
own DuckDB sessions load extensions by path (dagster_etl_lake.extensions), needing no HOME.
"""

import importlib.util
import sys
from pathlib import Path

from dagster_etl_lake.shell import cli as duckdb_cli

PLATFORM = "linux_amd64"
# Wheels that ship extensions, linked where the CLI looks when installed.
EXTENSION_PACKAGES = (
    "duckdb_extension_json",
    "duckdb_extension_ducklake",
    "duckdb_extension_postgres_scanner",  # the lake's catalog; the DuckDB engine's reader of the source
    "duckdb_extension_httpfs",  # an S3 data path; Sling's default copy method (the benchmark's)
    "duckdb_extension_parquet",  # dev only, with httpfs
)
# What Sling's DuckLake target loads with copy_method csv_files (settings.DUCKDB_COPY_METHOD) and
# a Postgres catalog; without them the CLI would try to download them, and fail offline.
REQUIRED_EXTENSIONS = {"json", "ducklake", "postgres_scanner"}


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def sling_binary() -> Path:
    import sling_linux_amd64  # the wheel's own lookup of its binary

    return Path(sling_linux_amd64.SLING_BIN)


def install_extensions(home: Path) -> list[Path]:
    """Links every shipped extension into ``home``'s DuckDB extension directory (links, not
    copies: the image would hold each extension twice)."""
    installed = []
    for package in EXTENSION_PACKAGES:
        location = _package_dir(package)
        for extension in sorted(location.glob("extensions/v*/*.duckdb_extension")) if location else []:
            target_dir = home / ".duckdb" / "extensions" / extension.parent.name / PLATFORM
            target_dir.mkdir(parents=True, exist_ok=True)
            (target_dir / extension.name).unlink(missing_ok=True)
            (target_dir / extension.name).symlink_to(extension)
            installed.append(target_dir / extension.name)
    missing = REQUIRED_EXTENSIONS - {path.name.split(".")[0] for path in installed}
    if missing:
        raise RuntimeError(f"DuckDB extension wheels missing for Sling: {sorted(missing)}")
    return installed


def offline_environment(home: Path) -> dict[str, str]:
    """Environment under which Sling finds everything locally (HOME holds the extensions)."""
    install_extensions(home)
    return {
        "HOME": str(home),
        "SLING_BINARY": str(sling_binary()),
        "DUCKDB_PATH": str(duckdb_cli()),
        "SLING_DISABLE_TELEMETRY": "true",
    }


def link_binaries(folder: Path) -> None:
    """Links `sling` and `duckdb` in ``folder`` to the wheels' binaries (where the image's
    SLING_BINARY and DUCKDB_PATH point, whatever the Python version's site-packages path)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, target in (("sling", sling_binary()), ("duckdb", duckdb_cli())):
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to(target)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--link"]:
        link_binaries(Path(sys.argv[2]))
        sys.exit()
    for path in install_extensions(Path(sys.argv[1] if len(sys.argv) > 1 else Path.home())):
        print(path)
    print(f"SLING_BINARY={sling_binary()}")
    print(f"DUCKDB_PATH={duckdb_cli()}")
