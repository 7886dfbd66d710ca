"""Every manifest is a valid Kubernetes object, and the Secrets are templates without values."""

import kubernetes_validate
import pytest
from conftest import MANIFESTS_DIR, manifest_documents, secret_keys

# The Kubernetes release whose API schemas the manifests are checked against (kubernetes-validate
# ships them; strict mode also rejects fields the API does not have).
KUBERNETES_VERSION = "1.33.0"

DOCUMENTS = manifest_documents()


@pytest.mark.parametrize(
    "document",
    [doc for _, doc in DOCUMENTS],
    ids=[f"{name}:{doc['kind']}/{doc['metadata']['name']}" for name, doc in DOCUMENTS],
)
def test_manifest_validates_against_kubernetes_schema(document):
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_validation_rejects_a_misspelt_field():
    claim = next(doc for _, doc in DOCUMENTS if doc["kind"] == "PersistentVolumeClaim")
    broken = {**claim, "spec": {**claim["spec"], "accessMode": claim["spec"]["accessModes"]}}
    with pytest.raises(kubernetes_validate.ValidationError, match="accessMode"):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_every_manifest_file_holds_objects():
    names = {path.name for path in MANIFESTS_DIR.glob("*.yaml")}
    assert names == {name for name, _ in DOCUMENTS}


def test_secrets_are_templates_without_values():
    secrets = [doc for _, doc in DOCUMENTS if doc["kind"] == "Secret"]
    assert secrets
    for secret in secrets:
        assert "data" not in secret, f"{secret['metadata']['name']} carries encoded values"
        filled = {key for key, value in secret["stringData"].items() if value != ""}
        assert not filled, f"{secret['metadata']['name']} has values for {sorted(filled)}"


def test_secrets_hold_what_the_deployment_reads(compose):
    keys = {key for _, doc in DOCUMENTS if doc["kind"] == "Secret" for key in doc["stringData"]}
    # Every secret compose's `secrets` service stores, under the same name ...
    assert set(compose["services"]["secrets"]["environment"]) - {"DAGSTER_POSTGRES_PASSWORD"} <= keys
    assert {
        "postgresql-password",  # ... but DAGSTER_POSTGRES_PASSWORD, under the key the chart reads
        "LAKE_WRITER_PASSWORD",
        "LAKE_READER_PASSWORD",
        "S3_ACCESS_KEY_ID",
        "S3_SECRET_ACCESS_KEY",
    } <= keys


def test_every_secret_key_reference_has_its_key():
    keys = secret_keys()

    def refs(node):
        if isinstance(node, dict):
            if "secretKeyRef" in node:
                yield node["secretKeyRef"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    found = [ref for _, doc in DOCUMENTS for ref in refs(doc)]
    assert found
    for ref in found:
        assert ref["key"] in keys.get(ref["name"], set()), ref
