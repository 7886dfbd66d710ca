"""DuckDB extensions shipped as Python wheels (duckdb-extension-*), loaded by file path.

The wheels are installed with the location's dependencies, so the files are in the image and in
the test environment alike; loading by path needs neither network nor a writable $HOME.
"""

from importlib import resources

import duckdb


def extension_path(name: str) -> str:
    package = resources.files(f"duckdb_extension_{name}")
    path = package / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.is_file():
        raise RuntimeError(
            f"DuckDB extension {name} for DuckDB {duckdb.__version__} not found at {path};"
            f" install duckdb-extension-{name}=={duckdb.__version__}"
        )
    return str(path)


def load_extension(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    conn.execute(f"LOAD '{extension_path(name)}'")
