"""The deployment's warehouse: a DuckLake every location writes its own schemas of, and anyone
reads while the pipelines run (README: "The warehouse")."""

from dagster_etl_lake.attach import LakeUnreachable, connect, open_lake
from dagster_etl_lake.conflicts import in_transaction, is_conflict
from dagster_etl_lake.settings import LakeSettings, lake_settings

__all__ = [
    "LakeResource",
    "LakeSettings",
    "LakeUnreachable",
    "connect",
    "in_transaction",
    "is_conflict",
    "lake_settings",
    "open_lake",
]


def __getattr__(name: str):
    # The resource imports dagster (about 2 s): only what needs it pays, not `make sql` or a
    # notebook's `connect()`.
    if name == "LakeResource":
        from dagster_etl_lake.resource import LakeResource

        return LakeResource
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
