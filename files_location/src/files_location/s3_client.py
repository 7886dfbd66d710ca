"""S3Storage: where import_file_s3 reads from, any S3-compatible server, read through DuckDB's
httpfs on the loading connection."""

from urllib.parse import urlparse

import dagster as dg
import duckdb

from files_location.contract import sql_literal
from files_location.extensions import load_extension


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


def connect_s3(
    conn: duckdb.DuckDBPyConnection,
    *,
    endpoint_url: str,
    access_key_id: str,
    secret_access_key: str,
    region: str,
) -> None:
    """Make s3:// readable on this connection with a temporary (never persisted) secret.

    An empty endpoint means AWS itself; otherwise path-style URLs against the given server
    (MinIO, moto, Ceph ...), with TLS only when the endpoint is https.
    """
    load_extension(conn, "httpfs")
    options = ["TYPE s3", f"REGION {sql_literal(region or 'us-east-1')}"]
    if access_key_id:
        options += [f"KEY_ID {sql_literal(access_key_id)}", f"SECRET {sql_literal(secret_access_key)}"]
    if endpoint_url:
        endpoint = urlparse(endpoint_url)
        if endpoint.scheme not in ("http", "https") or not endpoint.netloc:
            raise ValueError(
                f"S3 endpoint must look like http(s)://host:port, got {endpoint_url!r}"
            )
        options += [
            f"ENDPOINT {sql_literal(endpoint.netloc)}",
            "URL_STYLE 'path'",
            f"USE_SSL {str(endpoint.scheme == 'https').lower()}",
        ]
    conn.execute(f"CREATE OR REPLACE TEMPORARY SECRET files_location_s3 ({', '.join(options)})")
