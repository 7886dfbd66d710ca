"""Runs jobs of the loaded code location in-process, as the run worker would."""

import dagster as dg

ORDERS = dg.AssetKey(["target", "data", "orders"])


def run_job(defs: dg.Definitions, name: str, instance, **kwargs):
    return defs.resolve_job_def(name).execute_in_process(instance=instance, **kwargs)


def latest_metadata(instance, key: dg.AssetKey) -> dict:
    event = instance.get_latest_materialization_event(key)
    assert event is not None, f"{key.to_user_string()} was never materialized"
    return event.asset_materialization.metadata


def column_names(metadata: dict) -> list[str]:
    return [column.name for column in metadata["dagster/column_schema"].schema.columns]


def error_chain(error: BaseException) -> str:
    """Every message in an exception's chain: dagster wraps a load error of a defs module in its
    own (which names the module), the cause below it says what is wrong; the code server shows both."""
    messages = []
    while error is not None:
        messages.append(str(error))
        error = error.__cause__ or error.__context__
    return "\n".join(messages)
