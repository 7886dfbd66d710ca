"""Opening the lake on a DuckDB connection: the extensions, the data path's S3 secret, ATTACH.

Every way into the lake goes through these statements: the locations' resource, the init
service's migration, the maintenance job, `make sql`, the benchmark and the tests.
"""

from urllib.parse import urlparse

import duckdb

from dagster_etl_lake import extensions
from dagster_etl_lake.settings import ALIAS, S3, LakeSettings, lake_settings

# Extensions are loaded from the wheels' files (dagster_etl_lake.extensions); a session must never
# fetch one from the internet. Their signatures were checked when the image was built (the
# extensions module's build check); checking them again costs every new session about 0.4 s of
# the 0.5 s it takes to open the lake (bench/warehouse.py), so sessions skip it.
NO_DOWNLOADS = {"autoinstall_known_extensions": False}
SESSION_CONFIG = {**NO_DOWNLOADS, "allow_unsigned_extensions": True}


class LakeUnreachable(RuntimeError):
    """The lake's catalog or data path cannot be opened; the message says which and why."""


def sql_literal(value: str) -> str:
    """A SQL string literal (ATTACH and CREATE SECRET take no parameters)."""
    return "'" + str(value).replace("'", "''") + "'"


def identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def required_extensions(settings: LakeSettings) -> list[str]:
    names = ["ducklake"]
    if catalog := extensions.CATALOG_EXTENSIONS[settings.catalog_type]:
        names.append(catalog)
    if settings.on_s3:
        names.append(extensions.S3_EXTENSION)
    return names


def s3_secret_sql(s3: S3, name: str, scope: str = "") -> str:
    """A temporary (never persisted) S3 secret for one S3-compatible server.

    An empty endpoint means AWS itself; otherwise path-style URLs against the given server
    (MinIO, moto, Ceph ...), with TLS only when the endpoint is https.
    """
    options = ["TYPE s3", f"REGION {sql_literal(s3.region or 'us-east-1')}"]
    if s3.access_key_id:
        options += [f"KEY_ID {sql_literal(s3.access_key_id)}", f"SECRET {sql_literal(s3.secret_access_key)}"]
    if s3.endpoint_url:
        endpoint = urlparse(s3.endpoint_url)
        if endpoint.scheme not in ("http", "https") or not endpoint.netloc:
            raise ValueError(f"S3 endpoint must look like http(s)://host:port, got {s3.endpoint_url!r}")
        options += [
            f"ENDPOINT {sql_literal(endpoint.netloc)}",
            "URL_STYLE 'path'",
            f"USE_SSL {str(endpoint.scheme == 'https').lower()}",
        ]
    if scope:
        options.append(f"SCOPE {sql_literal(scope)}")
    return f"CREATE OR REPLACE TEMPORARY SECRET {name} ({', '.join(options)})"


def attach_sql(settings: LakeSettings, *, read_only: bool = False) -> str:
    options = [f"DATA_PATH {sql_literal(settings.data_path)}"]
    if settings.catalog_type == "postgres":
        options.append("METADATA_SCHEMA 'public'")  # where dlt's destination finds the same lake
    if settings.catalog_type == "sqlite":
        # Several processes (`dg dev`'s runs) share the file: wait for its lock, as dlt's attach does.
        options += ["META_JOURNAL_MODE 'WAL'", "META_BUSY_TIMEOUT 30000"]
    if read_only:
        options.append("READ_ONLY")
    return f"ATTACH {sql_literal('ducklake:' + settings.metadata)} AS {ALIAS} ({', '.join(options)})"


def open_statements(settings: LakeSettings, *, read_only: bool = False) -> list[str]:
    """Everything a fresh DuckDB session runs to have the lake attached as `lake` and in use."""
    statements = extensions.load_statements(required_extensions(settings))
    if settings.on_s3:
        bucket = urlparse(settings.data_path)
        statements.append(s3_secret_sql(settings.s3, "lake_data", f"s3://{bucket.netloc}"))
    return [*statements, attach_sql(settings, read_only=read_only), f"USE {ALIAS}"]


def open_lake(conn: duckdb.DuckDBPyConnection, settings: LakeSettings | None = None, *,
              read_only: bool = False) -> None:
    settings = settings or lake_settings()
    try:
        for statement in open_statements(settings, read_only=read_only):
            conn.execute(statement)
    except duckdb.Error as error:
        # The catalog string holds no password (libpq reads it from PGPASSFILE), so it can be told.
        raise LakeUnreachable(
            f"could not open the lake (catalog {settings.metadata}, data path {settings.data_path}): {error}"
        ) from error


def connect(settings: LakeSettings | None = None, *, read_only: bool = False,
            config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB session with the lake attached as `lake` and in use."""
    conn = duckdb.connect(config={**SESSION_CONFIG, **(config or {})})
    try:
        open_lake(conn, settings, read_only=read_only)
    except BaseException:
        conn.close()
        raise
    return conn
