"""dlt's `ducklake` destination on the deployment's lake (the same catalog, schema `public` and data
path as every other writer; without metadata_schema dlt would start a lake of its own).

Imports dlt when called: only the dlt assets' bodies call it.
"""

from dagster_etl_lake.attach import NO_DOWNLOADS, required_extensions
from dagster_etl_lake.extensions import extension_file
from dagster_etl_lake.settings import ALIAS, LakeSettings, lake_settings


def _catalog(settings: LakeSettings):
    from dlt.common.configuration.specs import ConnectionStringCredentials

    if settings.catalog_type == "postgres":
        keywords = dict(part.split("=", 1) for part in settings.catalog.split())
        # No password: libpq reads it from PGPASSFILE, as for every other client.
        return ConnectionStringCredentials({
            "drivername": "postgres", "host": keywords.get("host"), "port": int(keywords.get("port", 5432)),
            "database": keywords.get("dbname"), "username": keywords.get("user"),
        })
    return ConnectionStringCredentials({"drivername": settings.catalog_type,
                                        "database": settings.catalog})


def _storage(settings: LakeSettings):
    if not settings.on_s3:
        return settings.data_path
    from dlt.common.configuration.specs import AwsCredentials
    from dlt.common.storages.configuration import FilesystemConfiguration

    s3 = settings.s3
    return FilesystemConfiguration(bucket_url=settings.data_path, credentials=AwsCredentials(
        aws_access_key_id=s3.access_key_id or None, aws_secret_access_key=s3.secret_access_key or None,
        endpoint_url=s3.endpoint_url or None, region_name=s3.region))


def ducklake_destination(settings: LakeSettings | None = None):
    import dlt
    from dlt.destinations.impl.ducklake.configuration import DuckLakeCredentials

    settings = settings or lake_settings()
    credentials = DuckLakeCredentials(
        ALIAS,
        metadata_schema="public" if settings.catalog_type == "postgres" else None,
        catalog=_catalog(settings),
        storage=_storage(settings),
    )
    # Loaded from the wheels' files on every connection dlt opens, never downloaded.
    credentials.extensions = [f"'{extension_file(name)}'" for name in required_extensions(settings)]
    # dlt SETs these after its session starts, too late for allow_unsigned_extensions: its
    # loads check the signatures.
    credentials.global_config = dict(NO_DOWNLOADS)
    return dlt.destinations.ducklake(credentials=credentials)
