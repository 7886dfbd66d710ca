"""The Sling binary, the DuckDB CLI and its extensions, all shipped as wheels.

Sling drives the DuckDB CLI (DUCKDB_PATH), which loads json/httpfs/parquet from
``~/.duckdb/extensions/v<version>/<platform>/`` and otherwise tries to download them. The image
runs this module at build time (``python -m replication_location.binaries /home/dagster``) and
sets SLING_BINARY/DUCKDB_PATH to the paths it prints, so that a run never downloads anything;
the tests and the benchmark do the same into a temporary HOME.
"""

import importlib.util
import shutil
import sys
from pathlib import Path

PLATFORM = "linux_amd64"
# Wheels that ship extensions; the postgres scanner is only there for the benchmark (dev group).
EXTENSION_PACKAGES = (
    "duckdb_extension_json",
    "duckdb_extension_httpfs",  # Sling streams rows to the CLI through a localhost HTTP server
    "duckdb_extension_parquet",
    "duckdb_extension_postgres_scanner",
)
REQUIRED_EXTENSIONS = {"json", "httpfs", "parquet"}


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def sling_binary() -> Path:
    import sling_linux_amd64  # the wheel's own lookup of its binary

    return Path(sling_linux_amd64.SLING_BIN)


def duckdb_cli() -> Path:
    package = _package_dir("duckdb_cli")
    if package is None or not (package / "duckdb").is_file():
        raise RuntimeError("duckdb-cli is not installed: Sling's DuckDB target needs its binary")
    return package / "duckdb"


def install_extensions(home: Path) -> list[Path]:
    """Copies every shipped extension into ``home``'s DuckDB extension directory."""
    installed = []
    for package in EXTENSION_PACKAGES:
        location = _package_dir(package)
        for extension in sorted(location.glob("extensions/v*/*.duckdb_extension")) if location else []:
            target_dir = home / ".duckdb" / "extensions" / extension.parent.name / PLATFORM
            target_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(extension, target_dir / extension.name)
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


if __name__ == "__main__":
    for path in install_extensions(Path(sys.argv[1] if len(sys.argv) > 1 else Path.home())):
        print(path)
    print(f"SLING_BINARY={sling_binary()}")
    print(f"DUCKDB_PATH={duckdb_cli()}")
