"""DuckDB extensions shipped as Python wheels (duckdb-extension-*), loaded by file path.

The wheels are dependencies, so the files are in every image and test environment; loading by
path needs neither the network nor a writable $HOME, and the same files serve the DuckDB CLI
(`make sql`) and dlt's connections.
"""

from importlib import resources
from pathlib import Path

import duckdb

# What attaching the lake needs, by catalog type and data path.
CATALOG_EXTENSIONS = {"postgres": "postgres_scanner", "sqlite": "sqlite_scanner", "duckdb": None}
S3_EXTENSION = "httpfs"


def extension_file(name: str) -> Path:
    """The wheel's file of extension `name` for the installed duckdb's version."""
    try:
        package = resources.files(f"duckdb_extension_{name}")
    except ModuleNotFoundError:
        package = None
    path = Path(str(package)) / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension" \
        if package else None
    if path is None or not path.is_file():
        wheel = "duckdb-extension-" + name.replace("_", "-")
        raise RuntimeError(
            f"DuckDB extension {name} for DuckDB {duckdb.__version__} is not installed;"
            f" install {wheel}=={duckdb.__version__}"
        )
    return path


def load_statements(names: list[str]) -> list[str]:
    return [f"LOAD '{extension_file(name)}'" for name in names]


def load(conn: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    for statement in load_statements(names):
        conn.execute(statement)


def verify(names: list[str]) -> None:
    """LOADs each extension in a session that checks signatures (DuckDB's default): a missing or
    tampered file fails here, so the lake's sessions can skip the check (attach.SESSION_CONFIG)."""
    with duckdb.connect(config={"autoinstall_known_extensions": False}) as conn:
        load(conn, names)


if __name__ == "__main__":
    # The image builds run this: a missing or unsigned extension fails the build, not a run.
    names = ["ducklake", CATALOG_EXTENSIONS["postgres"], S3_EXTENSION]
    verify(names)
    for name in names:
        print(f"{extension_file(name)}: signature checked")
