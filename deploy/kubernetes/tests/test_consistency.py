"""values.yaml names exactly what compose, workspace.yaml and the Dockerfiles run, sets the instance
the way the root dagster.yaml does, and uses only keys the chart has."""

import copy
import importlib

import pytest
from chart import code_server_command, instance_config, workspace
from chart_keys import unknown_keys
from conftest import LOCATIONS, REPO_ROOT, dockerfile_cmd
from dagster._core.definitions.run_request import InstigatorType
from dagster._core.instance.config import get_default_tick_retention_settings, get_tick_retention_settings
from dagster._core.instance.methods.settings_methods import SettingsMethods
from dagster._serdes.config_class import ConfigurableClassData


def test_values_use_only_keys_the_chart_has(values):
    assert unknown_keys(values) == []


def test_key_check_catches_a_misspelt_key(values):
    broken = copy.deepcopy(values)
    broken["dagster-user-deployments"]["deployments"][0]["nodeSelecter"] = {}
    broken["dagsterDaemon"]["runRetries"]["maxRetry"] = 1
    assert unknown_keys(broken) == [
        "dagster-user-deployments.deployments[0].nodeSelecter",
        "dagsterDaemon.runRetries.maxRetry",
    ]


def test_one_code_server_per_compose_location(compose, deployments):
    assert set(deployments) == set(LOCATIONS)
    assert set(LOCATIONS) <= set(compose["services"])


@pytest.mark.parametrize("location", LOCATIONS)
def test_code_server_runs_the_compose_image(compose, deployments, location):
    image = deployments[location]["image"]
    assert f"{image['repository']}:{image['tag']}" == compose["services"][location]["image"]


@pytest.mark.parametrize("location", LOCATIONS)
def test_code_server_runs_the_image_command(compose, deployments, location):
    # What the container runs under compose: its `command`, else the image's CMD.
    expected = compose["services"][location].get("command") or dockerfile_cmd(location)
    assert code_server_command(deployments[location]) == expected


@pytest.mark.parametrize("location", LOCATIONS)
def test_code_server_loads_the_location_module(deployments, location):
    args = code_server_command(deployments[location])
    module = args[args.index("-m") + 1]
    assert module == f"{location}.definitions"
    assert (REPO_ROOT / location / "src" / location / "definitions.py").is_file()


def test_workspace_has_compose_location_names_and_ports(values, compose_workspace, deployments):
    ours = [entry["grpc_server"] for entry in workspace(values)["load_from"]]
    theirs = [entry["grpc_server"] for entry in compose_workspace["load_from"]]
    assert [(s["location_name"], s["port"]) for s in ours] == [
        (s["location_name"], s["port"]) for s in theirs
    ]
    for server in ours:
        deployment = deployments[server["location_name"]]
        # The chart names each code server's Service after its deployment.
        assert server["host"] == deployment["name"]
        assert server["port"] == deployment["port"]


def _class_of(entry: dict) -> tuple[str, str]:
    data = ConfigurableClassData(entry["module"], entry["class"], "{}")
    return data.module_name, data.class_name


@pytest.fixture(scope="module")
def rendered(values) -> dict:
    return instance_config(values)


def _class(entry: dict) -> type:
    module_name, class_name = _class_of(entry)
    return getattr(importlib.import_module(module_name), class_name)


def test_same_run_coordinator(rendered, root_instance, monkeypatch):
    # Compose runs Dagster's queue read every half second (deploy/docker/dagster_etl_instance.py);
    # the chart runs Dagster's own, read every second, the least its config takes.
    monkeypatch.syspath_prepend(str(REPO_ROOT / "deploy" / "docker"))
    assert issubclass(_class(root_instance["run_coordinator"]), _class(rendered["run_coordinator"]))
    ours = dict(rendered["run_coordinator"].get("config"))
    assert ours.pop("dequeue_interval_seconds") == 1
    assert ours == root_instance["run_coordinator"].get("config")


def test_same_pools_and_run_limits(rendered, root_instance):
    assert rendered["concurrency"] == root_instance["concurrency"]


def test_same_run_monitoring(rendered, root_instance):
    ours, theirs = dict(rendered["run_monitoring"]), dict(root_instance["run_monitoring"])
    # The chart writes the cancel timeout; dagster.yaml leaves it to dagster's default.
    default = SettingsMethods.run_monitoring_cancel_timeout_seconds.fget(
        type("Settings", (), {"run_monitoring_settings": {}})()
    )
    assert ours.pop("cancel_timeout_seconds") == theirs.pop("cancel_timeout_seconds", default)
    assert ours == theirs


def test_same_run_retries(rendered, root_instance):
    assert rendered["run_retries"] == root_instance["run_retries"]


def test_same_tick_retention(rendered, root_instance):
    for key, kind in [("schedule", InstigatorType.SCHEDULE), ("sensor", InstigatorType.SENSOR)]:
        defaults = get_default_tick_retention_settings(kind)
        assert get_tick_retention_settings(
            rendered["retention"][key], defaults
        ) == get_tick_retention_settings(root_instance["retention"][key], defaults)


def test_same_telemetry_and_artifact_storage(rendered, root_instance):
    assert rendered["telemetry"] == root_instance["telemetry"]
    assert rendered["local_artifact_storage"] == root_instance["local_artifact_storage"]


def test_same_storage_database(rendered, root_instance):
    ours = rendered["run_storage"]["config"]["postgres_db"]
    theirs = root_instance["storage"]["custom"]["config"]["postgres_db"]
    assert (ours["port"], ours["scheme"]) == (theirs["port"], theirs["scheme"])
