"""Paths and parsed files shared by the Kubernetes checks; everything is read from the repository
at test time so that the checks follow compose, workspace.yaml, dagster.yaml and the Dockerfiles."""

import importlib.util
import json
import re
import sys
from pathlib import Path

import kubernetes
import pytest
import yaml
from chart import NAMESPACE, instance_config, run_pod_context
from dagster._core.code_pointer import ModuleCodePointer
from dagster._core.origin import JobPythonOrigin, RepositoryPythonOrigin
from dagster._core.storage.dagster_run import DagsterRun
from dagster_k8s import K8sRunLauncher
from dagster_k8s.job import construct_dagster_k8s_job

KUBERNETES_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = KUBERNETES_DIR.parents[1]
MANIFESTS_DIR = KUBERNETES_DIR / "manifests"
LOCATIONS = ["files_location", "api_location", "replication_location", "maintenance_location"]

sys.path.insert(0, str(Path(__file__).parent))


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text())


def lake_settings_module():
    """dagster_etl_lake.settings, the module every process reads the lake's place with, loaded from
    lake/src (plain Python: it needs none of the lake package's dependencies)."""
    name = "dagster_etl_lake_settings"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, REPO_ROOT / "lake" / "src" / "dagster_etl_lake" / "settings.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def psql_variables(args: list[str]) -> dict[str, str]:
    """The `-v name=value` pairs of a psql command line."""
    pairs = [args[i + 1] for i, arg in enumerate(args[:-1]) if arg in ("-v", "--set")]
    return dict(pair.split("=", 1) for pair in pairs)


def manifest_documents() -> list[tuple[str, dict]]:
    """(file name, document) for every object in manifests/."""
    docs = []
    for path in sorted(MANIFESTS_DIR.glob("*.yaml")):
        docs.extend((path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc)
    return docs


def secret_keys() -> dict[str, set[str]]:
    """The keys of each Secret in manifests/, by the Secret's name."""
    return {
        doc["metadata"]["name"]: set(doc["stringData"])
        for _, doc in manifest_documents()
        if doc["kind"] == "Secret"
    }


def dockerfile_cmd(location: str) -> list[str]:
    """The exec-form CMD of <location>/Dockerfile (the last one, as Docker uses)."""
    text = (REPO_ROOT / location / "Dockerfile").read_text()
    commands = re.findall(r"^CMD\s+(\[.*\])\s*$", text, flags=re.MULTILINE)
    assert commands, f"{location}/Dockerfile has no exec-form CMD"
    return json.loads(commands[-1])


@pytest.fixture(scope="session")
def values() -> dict:
    return load_yaml(KUBERNETES_DIR / "values.yaml")


@pytest.fixture(scope="session")
def compose() -> dict:
    return load_yaml(REPO_ROOT / "docker-compose.yaml")


@pytest.fixture(scope="session")
def compose_workspace() -> dict:
    return load_yaml(REPO_ROOT / "workspace.yaml")


@pytest.fixture(scope="session")
def root_instance() -> dict:
    return load_yaml(REPO_ROOT / "dagster.yaml")


@pytest.fixture(scope="session")
def deployments(values) -> dict[str, dict]:
    """values.yaml's user deployments by the location name their code server serves."""
    by_location = {}
    for deployment in values["dagster-user-deployments"]["deployments"]:
        args = deployment.get("codeServerArgs") or deployment.get("dagsterApiGrpcArgs") or []
        assert "--location-name" in args, f"{deployment['name']} does not name its location"
        by_location[args[args.index("--location-name") + 1]] = deployment
    return by_location


@pytest.fixture
def launcher(values, tmp_path) -> K8sRunLauncher:
    """The run launcher from the rendered config, with a stand-in kubeconfig instead of the
    in-cluster one (it talks to no API server here)."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "offline",
        "clusters": [{"name": "offline", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "offline", "user": {}}],
        "contexts": [{"name": "offline", "context": {"cluster": "offline", "user": "offline"}}],
    }))
    config = dict(instance_config(values)["run_launcher"]["config"])
    config.update(load_incluster_config=False, kubeconfig_file=str(kubeconfig))
    return K8sRunLauncher(**config)


def run_job(launcher: K8sRunLauncher, deployment: dict, location: str) -> dict:
    """The Job manifest the K8sRunLauncher builds for a run served by this deployment's code server."""
    image = f"{deployment['image']['repository']}:{deployment['image']['tag']}"
    context = {"k8s": {**run_pod_context(deployment), "namespace": NAMESPACE}}
    origin = JobPythonOrigin(
        job_name="a_job",
        repository_origin=RepositoryPythonOrigin(
            executable_path="/opt/venv/bin/python",
            code_pointer=ModuleCodePointer(f"{location}.definitions", "defs", working_directory=None),
            container_image=image,
            container_context=context,
        ),
    )
    run = DagsterRun(job_name="a_job", run_id="0123abcd-0000-0000-0000-000000000000", job_code_origin=origin)
    container_context = launcher.get_container_context_for_run(run)
    job = construct_dagster_k8s_job(
        job_config=container_context.get_k8s_job_config(job_image=image, run_launcher=launcher),
        args=["dagster", "api", "execute_run", "{}"],
        job_name="dagster-run-0123abcd",
        pod_name="dagster-run-0123abcd",
        component="run_worker",
        user_defined_k8s_config=container_context.run_k8s_config,
        labels={"dagster/job": "a_job"},
    )
    return kubernetes.client.ApiClient().sanitize_for_serialization(job)
