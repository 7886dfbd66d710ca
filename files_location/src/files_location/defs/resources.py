import dagster as dg
from dagster_dlt import DagsterDltResource
from dagster_duckdb import DuckDBResource

from files_location.warehouse import DUCKDB_CONFIG, database_path


class S3Storage(dg.ConfigurableResource):
    """Where import_file_s3 reads from: any S3-compatible server (empty endpoint = AWS)."""

    endpoint_url: str = ""
    access_key_id: str = ""
    secret_access_key: str = ""
    region: str = "us-east-1"


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "duckdb": DuckDBResource(database=database_path(), connection_config=DUCKDB_CONFIG),
            # Read when a run uses them; the deployment passes them (empty when S3 is unused).
            "s3": S3Storage(
                endpoint_url=dg.EnvVar("S3_ENDPOINT_URL"),
                access_key_id=dg.EnvVar("S3_ACCESS_KEY_ID"),
                secret_access_key=dg.EnvVar("S3_SECRET_ACCESS_KEY"),
                region=dg.EnvVar("S3_REGION"),
            ),
            "dlt": DagsterDltResource(),
        }
    )
