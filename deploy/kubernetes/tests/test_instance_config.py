"""The dagster.yaml the chart would give the daemon, loaded by dagster, dagster-k8s, dagster-aws
and dagster-postgres of the locked versions: accepted as is, rejected with one key changed. And the
Job the K8sRunLauncher would create for a run of each location, checked against Kubernetes."""

import copy
import importlib.metadata

import kubernetes_validate
import pytest
import yaml
from chart import instance_config
from conftest import LOCATIONS, run_job
from dagster import DagsterInvalidConfigError
from dagster._check import CheckError
from dagster._config import validate_config
from dagster._core.instance.config import dagster_instance_config
from dagster._serdes.config_class import ConfigurableClassData, class_from_code_pointer
from test_manifests import KUBERNETES_VERSION

# The configurable parts of the instance: each names a class whose own config schema checks it.
CONFIGURABLE = [
    "scheduler", "schedule_storage", "run_launcher", "run_storage", "event_log_storage",
    "run_coordinator", "compute_logs", "local_artifact_storage",
]


def load_instance(config: dict, tmp_path) -> dict:
    """What the daemon does with its dagster.yaml: the instance schema, then each class's schema."""
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    validated, _ = dagster_instance_config(str(tmp_path))
    for section in CONFIGURABLE:
        entry = config[section]
        # As the instance does: `dagster.core.*` names the private `dagster._core.*` modules.
        data = ConfigurableClassData(entry["module"], entry["class"], yaml.safe_dump(entry.get("config", {})))
        cls = class_from_code_pointer(data.module_name, data.class_name)
        result = validate_config(cls.config_type(), entry.get("config", {}))
        if not result.success:
            raise DagsterInvalidConfigError(
                f"{section}: {entry['class']}", result.errors, entry.get("config")
            )
    return validated


def test_locked_versions_are_the_ones_checked():
    assert importlib.metadata.version("dagster") == "1.13.27"
    for package in ["dagster-k8s", "dagster-aws", "dagster-postgres"]:
        assert importlib.metadata.version(package) == "0.29.27"


def test_instance_config_is_accepted(values, tmp_path):
    config = instance_config(values)
    assert set(CONFIGURABLE) <= set(config)
    validated = load_instance(config, tmp_path)
    assert validated["run_launcher"]["class"] == "K8sRunLauncher"
    assert validated["compute_logs"]["class"] == "S3ComputeLogManager"
    assert validated["run_coordinator"]["class"] == "QueuedRunCoordinator"


def _rename(config, path, new_key):
    *parents, key = path
    for parent in parents:
        config = config[parent]
    config[new_key] = config.pop(key)


def _set(config, path, value):
    *parents, key = path
    for parent in parents:
        config = config[parent]
    config[key] = value


def _drop(config, path):
    *parents, key = path
    for parent in parents:
        config = config[parent]
    del config[key]


# Each change, and a word the rejection must name.
MUTATIONS = {
    "run launcher key misspelt": (
        lambda c: _rename(c, ["run_launcher", "config", "job_namespace"], "job_namespce"), "job_namespce"),
    "run launcher class misspelt": (
        lambda c: _set(c, ["run_launcher", "class"], "K8sRunLaunchr"), "K8sRunLaunchr"),
    "run launcher required key removed": (
        lambda c: _drop(c, ["run_launcher", "config", "instance_config_map"]), "instance_config_map"),
    "compute log bucket removed": (lambda c: _drop(c, ["compute_logs", "config", "bucket"]), "bucket"),
    "compute log key misspelt": (
        lambda c: _rename(c, ["compute_logs", "config", "prefix"], "prefx"), "prefx"),
    "coordinator module wrong": (
        lambda c: _set(c, ["run_coordinator", "module"], "dagster.core.run_coordinators"),
        "run_coordinators"),
    "pool limit key misspelt": (
        lambda c: _rename(c, ["concurrency", "pools", "default_limit"], "default_limits"), "default_limits"),
    "pool granularity not a granularity": (
        lambda c: _set(c, ["concurrency", "pools", "granularity"], "file"), "granularity"),
    "monitoring key misspelt": (
        lambda c: _rename(c, ["run_monitoring", "poll_interval_seconds"], "poll_interval"), "poll_interval"),
    "retries count not a number": (lambda c: _set(c, ["run_retries", "max_retries"], "once"), "max_retries"),
    "retries key misspelt": (
        lambda c: _rename(c, ["run_retries", "retry_on_asset_or_op_failure"], "retry_on_op_failure"),
        "retry_on_op_failure"),
    "storage port not a number": (
        lambda c: _set(c, ["run_storage", "config", "postgres_db", "port"], "postgres"), "port"),
    "unknown top-level section": (lambda c: _set(c, ["run_launchers"], {}), "run_launchers"),
}


@pytest.mark.parametrize(("mutate", "named"), MUTATIONS.values(), ids=MUTATIONS.keys())
def test_changed_key_is_rejected(values, tmp_path, mutate, named):
    config = copy.deepcopy(instance_config(values))
    mutate(config)
    with pytest.raises((DagsterInvalidConfigError, CheckError)) as raised:
        load_instance(config, tmp_path)
    assert named in str(raised.value)


def test_values_typo_breaks_the_rendered_config(values, tmp_path):
    # A misspelt value key renders nothing (Helm is silent); dagster then rejects the result.
    broken = copy.deepcopy(values)
    monitoring = broken["dagsterDaemon"]["runMonitoring"]
    monitoring["startTimeoutSecs"] = monitoring.pop("startTimeoutSeconds")
    with pytest.raises(DagsterInvalidConfigError, match="start_timeout_seconds"):
        load_instance(instance_config(broken), tmp_path)


@pytest.mark.parametrize("location", LOCATIONS)
def test_run_pod_gets_the_location_image_env_secrets_and_volume(launcher, deployments, location):
    deployment = deployments[location]
    job = run_job(launcher, deployment, location)
    kubernetes_validate.validate(job, KUBERNETES_VERSION, strict=True)

    pod = job["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == f"{deployment['image']['repository']}:{deployment['image']['tag']}"
    claims = {v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v}
    assert claims == {v["persistentVolumeClaim"]["claimName"] for v in deployment["volumes"]}
    mounts = {(m["mountPath"], m.get("subPath")) for m in container["volumeMounts"]}
    assert {(m["mountPath"], m.get("subPath")) for m in deployment["volumeMounts"]} <= mounts
    secret_refs = {e["secretRef"]["name"] for e in container["envFrom"] if "secretRef" in e}
    assert {ref["name"] for ref in deployment["envSecrets"]} <= secret_refs
    env = {e["name"]: e for e in container["env"]}
    for variable in deployment["env"]:  # values and valueFrom alike
        assert env[variable["name"]] == variable
    # Dagster's own storage password reaches the run from the chart's secret, never from a value.
    assert env["DAGSTER_PG_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "dagster-postgresql-secret"
    assert job["metadata"]["labels"]["app.kubernetes.io/name"] == "dagster"  # admitted to Postgres
