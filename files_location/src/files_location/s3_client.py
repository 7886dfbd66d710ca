"""S3Storage: where import_file_s3 reads from, any S3-compatible server, read through DuckDB's
httpfs on the loading connection."""

import dagster as dg
import duckdb

from dagster_etl_lake import extensions
from dagster_etl_lake.attach import s3_secret_sql
from dagster_etl_lake.settings import S3


class S3Storage(dg.ConfigurableResource):
    """Where import_file_s3 reads from: any S3-compatible server (empty endpoint = AWS)."""

    endpoint_url: str = ""
    access_key_id: str = ""
    secret_access_key: str = ""
    region: str = "us-east-1"


def s3_url(bucket: str, key: str) -> str:
    bucket = bucket.strip()
    key = key.strip().lstrip("/")
    if not bucket or "/" in bucket:
        raise ValueError(f"invalid bucket name {bucket!r}")
    if not key:
        raise ValueError("empty object path")
    return f"s3://{bucket}/{key}"


def connect_s3(conn: duckdb.DuckDBPyConnection, storage: S3Storage) -> None:
    """Make s3:// readable on this connection's session with a temporary (never persisted) secret,
    the same kind the lake's own data path on S3 uses (its secret is scoped to the lake's bucket)."""
    extensions.load(conn, [extensions.S3_EXTENSION])
    conn.execute(s3_secret_sql(S3(storage.endpoint_url, storage.access_key_id, storage.secret_access_key,
                                  storage.region), "files_location_s3"))
