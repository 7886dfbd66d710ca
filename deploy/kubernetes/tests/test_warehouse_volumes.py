"""Each location's DuckDB file lives on its own ReadWriteOnce local volume; its code server and its
run pods mount that volume, so all of them run on the one node that holds the file."""

import kubernetes_validate
import pytest
from chart import run_pod_context
from conftest import LOCATIONS, manifest_documents
from test_manifests import KUBERNETES_VERSION

OBJECTS = {(doc["kind"], doc["metadata"]["name"]): doc for _, doc in manifest_documents()}


def claim_of(deployment: dict) -> dict:
    [mount] = [m for m in deployment["volumeMounts"] if m["mountPath"] == "/opt/dagster/warehouse"]
    [volume] = [v for v in deployment["volumes"] if v["name"] == mount["name"]]
    name = volume["persistentVolumeClaim"]["claimName"]
    assert ("PersistentVolumeClaim", name) in OBJECTS, f"no manifest for claim {name}"
    return OBJECTS["PersistentVolumeClaim", name]


@pytest.mark.parametrize("location", LOCATIONS)
def test_warehouse_is_a_read_write_once_local_volume(deployments, location):
    claim = claim_of(deployments[location])
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    volume = OBJECTS["PersistentVolume", claim["spec"]["volumeName"]]
    assert volume["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert "local" in volume["spec"], "DuckDB needs a local disk, not a network filesystem"
    assert volume["spec"]["storageClassName"] == claim["spec"]["storageClassName"]


@pytest.mark.parametrize("location", LOCATIONS)
def test_code_server_is_pinned_to_the_node_of_its_volume(deployments, location):
    deployment = deployments[location]
    volume = OBJECTS["PersistentVolume", claim_of(deployment)["spec"]["volumeName"]]
    [term] = volume["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"]
    [expression] = term["matchExpressions"]
    assert expression["operator"] == "In" and len(expression["values"]) == 1
    assert deployment["nodeSelector"] == {expression["key"]: expression["values"][0]}


@pytest.mark.parametrize("location", LOCATIONS)
def test_run_pods_mount_the_same_claim(deployments, location):
    deployment = deployments[location]
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    context = run_pod_context(deployment)
    claims = {v["persistentVolumeClaim"]["claimName"] for v in context["volumes"]}
    assert claims == {claim_of(deployment)["metadata"]["name"]}
    assert context["volume_mounts"] == deployment["volumeMounts"]


def test_each_location_has_its_own_volume(deployments):
    claims = [claim_of(deployments[location])["metadata"]["name"] for location in LOCATIONS]
    assert len(set(claims)) == len(LOCATIONS)


@pytest.mark.parametrize("location", LOCATIONS)
def test_code_server_pod_fragment_validates(deployments, location):
    # The parts of the chart's pod spec that come verbatim from values.yaml.
    deployment = deployments[location]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": deployment["name"]},
        "spec": {
            "securityContext": deployment.get("podSecurityContext", {}),
            "nodeSelector": deployment["nodeSelector"],
            "volumes": deployment["volumes"],
            "containers": [
                {
                    "name": "dagster",
                    "image": f"{deployment['image']['repository']}:{deployment['image']['tag']}",
                    "imagePullPolicy": deployment["image"]["pullPolicy"],
                    "env": deployment["env"],
                    "envFrom": [{"secretRef": ref} for ref in deployment["envSecrets"]],
                    "volumeMounts": deployment["volumeMounts"],
                    "ports": [{"containerPort": deployment["port"]}],
                }
            ],
        },
    }
    kubernetes_validate.validate(pod, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("location", LOCATIONS)
def test_secrets_a_location_reads_have_manifests(deployments, location):
    for ref in deployments[location]["envSecrets"]:
        assert ("Secret", ref["name"]) in OBJECTS, f"{location} reads Secret {ref['name']}, not in manifests/"
