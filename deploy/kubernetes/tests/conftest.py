"""Paths and parsed files shared by the Kubernetes checks; everything is read from the repository
at test time so that the checks follow compose, workspace.yaml, dagster.yaml and the Dockerfiles."""

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

KUBERNETES_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = KUBERNETES_DIR.parents[1]
MANIFESTS_DIR = KUBERNETES_DIR / "manifests"
LOCATIONS = ["files_location", "api_location", "replication_location"]

sys.path.insert(0, str(Path(__file__).parent))


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text())


def manifest_documents() -> list[tuple[str, dict]]:
    """(file name, document) for every object in manifests/."""
    docs = []
    for path in sorted(MANIFESTS_DIR.glob("*.yaml")):
        docs.extend((path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc)
    return docs


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
