"""Runs an asset backfill the way the deployment does: the backfill daemon's own iteration turns
it into runs by the assets' BackfillPolicy, against the location loaded from its module in a
code server process; runs execute synchronously in this process (env and stand-in included)."""

import logging
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import dagster as dg
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
from dagster._core.storage.dagster_run import DagsterRun, RunsFilter
from dagster._core.test_utils import create_test_daemon_workspace_context, instance_for_test
from dagster._core.workspace.load_target import ModuleTarget
from dagster._daemon.backfill import execute_backfill_iteration

SYNCHRONOUS_RUNS = {
    "run_coordinator": {
        "module": "dagster._core.run_coordinator",
        "class": "DefaultRunCoordinator",
    },
    "run_launcher": {
        "module": "dagster._core.launcher.sync_in_memory_run_launcher",
        "class": "SyncInMemoryRunLauncher",
    },
}


@contextmanager
def backfill_daemon() -> Iterator[Callable[..., tuple[BulkActionStatus, list[DagsterRun]]]]:
    """A function that runs a backfill to its end: (final status, its runs oldest first).

    Runs reconstruct the location once per process (dagster caches it), so the resources keep
    the environment of the first run: use one backfill_daemon per test session.
    """
    with instance_for_test(overrides=SYNCHRONOUS_RUNS) as instance:
        target = ModuleTarget(
            module_name="api_location.definitions",
            attribute="defs",
            working_directory=None,
            location_name="api_location",
        )
        with create_test_daemon_workspace_context(target, instance) as workspace:

            def run_backfill(
                assets: Sequence[dg.AssetKey], partition_keys: Sequence[str], run_config: dict
            ) -> tuple[BulkActionStatus, list[DagsterRun]]:
                backfill_id = uuid.uuid4().hex[:8]
                backfill = PartitionBackfill.from_asset_partitions(
                    backfill_id=backfill_id,
                    asset_graph=workspace.create_request_context().asset_graph,
                    partition_names=partition_keys,
                    asset_selection=list(assets),
                    backfill_timestamp=time.time(),
                    tags={},
                    dynamic_partitions_store=instance,
                    all_partitions=False,
                    title=None,
                    description=None,
                    run_config=run_config,
                )
                instance.add_backfill(backfill)
                for _ in range(20):  # each iteration submits runs or records their outcome
                    list(execute_backfill_iteration(workspace, logging.getLogger("backfill")))
                    status = instance.get_backfill(backfill_id).status
                    if status != BulkActionStatus.REQUESTED:
                        break
                runs = instance.get_runs(RunsFilter(tags={"dagster/backfill": backfill_id}))
                return status, list(reversed(runs))

            yield run_backfill
