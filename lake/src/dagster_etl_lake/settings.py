"""Where the lake is, as every process of the deployment reads it from its environment: the
catalog database (with the role this process logs in as), the data path and its S3 server.

Unset, a process outside the deployment (`dg dev`, the locations' tests) uses a local lake in
WAREHOUSE_DIR: a SQLite catalog, which several processes can share, and a data folder beside it.
"""

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

LAKE_CATALOG_TYPE = "LAKE_CATALOG_TYPE"  # postgres, sqlite or duckdb (a DuckDB file)
# The catalog database's own connection: libpq keywords with the role for Postgres
# ("host=postgres port=5432 dbname=lake user=lake_writer"; the password is in PGPASSFILE), a path
# for SQLite and DuckDB.
LAKE_CATALOG = "LAKE_CATALOG"
LAKE_DATA_PATH = "LAKE_DATA_PATH"  # a folder, or s3://bucket/prefix/
WAREHOUSE_DIR = "WAREHOUSE_DIR"
DEFAULT_WAREHOUSE_DIR = "/opt/dagster/warehouse"
CATALOG_TYPES = ("postgres", "sqlite", "duckdb")
# The S3-compatible server of an s3:// data path: the deployment's one S3 setting (files_location
# imports from the same server).
S3_ENV_VARS = {
    "endpoint_url": "S3_ENDPOINT_URL",
    "access_key_id": "S3_ACCESS_KEY_ID",
    "secret_access_key": "S3_SECRET_ACCESS_KEY",
    "region": "S3_REGION",
}

ALIAS = "lake"  # the attached lake's name in every DuckDB session (lake.files.raw_data)
WRITER, READER = "lake_writer", "lake_reader"  # the roles seed/initdb/lake.sql creates
# Inserts of up to this many rows are kept in the catalog instead of a Parquet file each (the
# course's files have 8); the maintenance job writes them out as one file per table.
INLINING_ROW_LIMIT = 1000


@dataclass(frozen=True)
class S3:
    endpoint_url: str = ""
    access_key_id: str = ""
    secret_access_key: str = ""
    region: str = "us-east-1"


@dataclass(frozen=True)
class LakeSettings:
    catalog_type: str
    catalog: str
    data_path: str  # ends with "/"
    s3: S3 = S3()

    def __post_init__(self):
        if self.catalog_type not in CATALOG_TYPES:
            raise ValueError(f"{LAKE_CATALOG_TYPE}={self.catalog_type!r} is not one of"
                             f" {', '.join(CATALOG_TYPES)}")

    @property
    def metadata(self) -> str:
        """What ATTACH 'ducklake:<metadata>' takes. No password: libpq reads it from PGPASSFILE."""
        return self.catalog if self.catalog_type == "duckdb" else f"{self.catalog_type}:{self.catalog}"

    @property
    def user(self) -> str:
        found = re.search(r"(?:^|\s)user=(\S+)", self.catalog)
        return found.group(1) if found else ""

    @property
    def on_s3(self) -> bool:
        return self.data_path.startswith("s3://")

    def as_role(self, user: str) -> "LakeSettings":
        """The same lake, logged in as `user` (Postgres catalogs; the others have no roles)."""
        if self.catalog_type != "postgres":
            return self
        catalog = re.sub(r"(^|\s)user=\S+", "", self.catalog).strip()
        return replace(self, catalog=f"{catalog} user={user}")


def warehouse_dir() -> Path:
    return Path(os.environ.get(WAREHOUSE_DIR) or DEFAULT_WAREHOUSE_DIR)


def local_lake(folder: Path) -> LakeSettings:
    """The lake of the inner loop: no server, a SQLite catalog and the data beside it in `folder`."""
    return LakeSettings(catalog_type="sqlite", catalog=str(folder / "lake.sqlite"),
                        data_path=f"{folder / 'lake'}/")


def lake_settings() -> LakeSettings:
    """The lake of this process's environment, read when a connection is made (runs read their
    own container's environment)."""
    local = local_lake(warehouse_dir())
    data_path = os.environ.get(LAKE_DATA_PATH) or local.data_path
    catalog_type = os.environ.get(LAKE_CATALOG_TYPE) or local.catalog_type
    catalog = os.environ.get(LAKE_CATALOG) or (local.catalog if catalog_type == "sqlite" else "")
    if not catalog:
        raise ValueError(f"{LAKE_CATALOG_TYPE}={catalog_type} needs {LAKE_CATALOG}"
                         " (the catalog's connection)")
    return LakeSettings(
        catalog_type=catalog_type,
        catalog=catalog,
        data_path=data_path.rstrip("/") + "/",
        s3=S3(**{field: os.environ[name] for field, name in S3_ENV_VARS.items() if os.environ.get(name)}),
    )
