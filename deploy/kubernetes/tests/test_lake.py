"""The warehouse is a DuckLake that every pod reaches over the network: its catalog in the `lake`
database of Dagster's Postgres, its data files on S3. So no location is pinned to a node; every code
server and every run pod gets the lake's settings, the writer's password from a Secret and the S3
keys from a Secret; the landing folder, the reports and the run outputs are on one ReadWriteMany
volume. The lake's setup Job creates the catalog database as compose's Postgres does."""

import copy
import re
import shlex

import kubernetes_validate
import pytest
from chart import run_pod_context
from conftest import (
    KUBERNETES_DIR,
    LOCATIONS,
    REPO_ROOT,
    lake_settings_module,
    manifest_documents,
    psql_variables,
    run_job,
    secret_keys,
)
from test_manifests import KUBERNETES_VERSION

DOCUMENTS = manifest_documents()
OBJECTS = {(doc["kind"], doc["metadata"]["name"]): doc for _, doc in DOCUMENTS}
LAKE = lake_settings_module()
# What compose's Postgres runs to create the catalog database and its roles.
SEED_LAKE_SH = REPO_ROOT / "seed" / "initdb" / "30-lake.sh"
# Kept by the chart, not by values.yaml: nodeSelector, affinity, tolerations would pin pods.
PINNING_KEYS = ("nodeSelector", "affinity", "tolerations")
# The chart labels its code servers with its subchart's name; the NetworkPolicy admits the label.
CODE_SERVER_LABEL = "dagster-user-deployments"


def seed_psql_args() -> list[str]:
    script = SEED_LAKE_SH.read_text().replace("\\\n", " ")
    [line] = [line for line in script.splitlines() if line.strip().startswith("psql ")]
    return shlex.split(line)


def seed_lake_variables() -> dict[str, str]:
    return psql_variables(seed_psql_args())


def env_values(env: list[dict]) -> dict[str, str]:
    """The variables a container sees from literal values (valueFrom entries are left out)."""
    return {e["name"]: e["value"] for e in env if "value" in e}


def lake_of(env: list[dict], monkeypatch):
    """The lake dagster_etl_lake.settings reads in a container with this env."""
    for name in [LAKE.LAKE_CATALOG_TYPE, LAKE.LAKE_CATALOG, LAKE.LAKE_DATA_PATH, LAKE.WAREHOUSE_DIR,
                 *LAKE.S3_ENV_VARS.values()]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env_values(env).items():
        monkeypatch.setenv(name, value)
    return LAKE.lake_settings()


def libpq_keywords(conninfo: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in conninfo.split())


def rwx_claims() -> set[str]:
    return {
        doc["metadata"]["name"]
        for _, doc in DOCUMENTS
        if doc["kind"] == "PersistentVolumeClaim" and doc["spec"]["accessModes"] == ["ReadWriteMany"]
    }


def assert_is_the_deployment_lake(lake, values):
    """An s3:// data path, the catalog in database `lake` of Dagster's Postgres as the writer role
    the seed creates, no password in the connection string."""
    seed = seed_lake_variables()
    postgres = values["postgresql"]
    assert lake.catalog_type == "postgres"
    keywords = libpq_keywords(lake.catalog)
    assert keywords == {
        "host": postgres["postgresqlHost"],
        "port": str(postgres["service"]["port"]),
        "dbname": seed["dbname"],
        "user": seed["writer"],
    }
    assert lake.user == LAKE.WRITER
    assert lake.on_s3, lake.data_path
    assert re.fullmatch(r"s3://[a-z0-9][a-z0-9.-]{2,62}/([^/]+/)*", lake.data_path), lake.data_path


def assert_password_from_the_lake_secret(env: list[dict]):
    [password] = [e for e in env if e["name"] == "PGPASSWORD"]  # libpq's variable, read by every client
    assert "value" not in password, "the writer's password is a literal"
    ref = password["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "dagster-etl-lake", "key": "LAKE_WRITER_PASSWORD"}
    assert ref["key"] in secret_keys()[ref["name"]]


# --- values: code servers ------------------------------------------------------------------------


@pytest.mark.parametrize("location", LOCATIONS)
def test_no_location_is_pinned_to_a_node(deployments, location):
    deployment = deployments[location]
    assert not [key for key in PINNING_KEYS if deployment.get(key)]
    for volume in deployment["volumes"]:
        assert set(volume) == {"name", "persistentVolumeClaim"}, f"{volume['name']} is not a claim"
        assert volume["persistentVolumeClaim"]["claimName"] in rwx_claims()


@pytest.mark.parametrize("location", LOCATIONS)
def test_code_server_opens_the_lake_on_s3_and_the_charts_postgres(values, deployments, location, monkeypatch):
    env = deployments[location]["env"]
    assert len({e["name"] for e in env}) == len(env), "a variable is set twice"
    assert_is_the_deployment_lake(lake_of(env, monkeypatch), values)
    assert_password_from_the_lake_secret(env)


@pytest.mark.parametrize("location", LOCATIONS)
def test_code_server_gets_the_s3_keys_from_a_secret(deployments, location):
    deployment = deployments[location]
    keys = {LAKE.S3_ENV_VARS["access_key_id"], LAKE.S3_ENV_VARS["secret_access_key"]}
    from_secrets = set().union(*(secret_keys()[ref["name"]] for ref in deployment["envSecrets"]))
    assert keys <= from_secrets
    assert not keys & {e["name"] for e in deployment["env"]}, "an S3 key is a literal in values.yaml"
    literal = env_values(deployment["env"])
    assert {LAKE.S3_ENV_VARS["endpoint_url"], LAKE.S3_ENV_VARS["region"]} <= set(literal)


def test_every_location_has_the_same_lake(deployments):
    lake_names = {LAKE.LAKE_CATALOG_TYPE, LAKE.LAKE_CATALOG, LAKE.LAKE_DATA_PATH, "PGPASSWORD",
                  *LAKE.S3_ENV_VARS.values()}
    entries = [
        sorted((e for e in deployments[location]["env"] if e["name"] in lake_names), key=lambda e: e["name"])
        for location in LOCATIONS
    ]
    assert all(entry == entries[0] for entry in entries)


@pytest.mark.parametrize("location", LOCATIONS)
def test_code_server_env_is_what_compose_gives_the_location(compose, deployments, location):
    # Every variable set here is one compose sets for the location (a misspelt name would be
    # ignored by the location); PGPASSWORD stands for compose's pgpass file. And every variable of
    # compose's lake and S3 anchors is set here, from values or from a Secret.
    deployment = deployments[location]
    compose_env = set(compose["services"][location]["environment"])
    names = {e["name"] for e in deployment["env"]}
    assert names - {"PGPASSWORD"} <= compose_env
    from_secrets = set().union(*(secret_keys()[ref["name"]] for ref in deployment["envSecrets"]))
    lake_and_s3 = set(compose["x-lake-env"]) | set(compose["x-s3-env"]) | {
        LAKE.S3_ENV_VARS["access_key_id"], LAKE.S3_ENV_VARS["secret_access_key"]
    }
    assert lake_and_s3 <= names | from_secrets


@pytest.mark.parametrize("location", LOCATIONS)
def test_every_location_mounts_the_shared_volume(compose, values, deployments, location):
    # Compose's data volumes, less those Kubernetes replaces: secrets (Secret objects), the warehouse
    # (the lake on S3) and the step logs (S3ComputeLogManager).
    replaced = {"/opt/dagster/secrets", "/opt/dagster/warehouse", "/opt/dagster/logs"}
    compose_paths = {v.split(":")[1] for v in compose["services"][location]["volumes"]} - replaced
    deployment = deployments[location]
    mounts = deployment["volumeMounts"]
    assert {m["mountPath"] for m in mounts} == compose_paths
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in deployment["volumes"]}
    assert {claims[m["name"]] for m in mounts} <= rwx_claims()
    # Each folder its own subPath, the same in every location.
    assert sorted(m["subPath"] for m in mounts) == sorted(p.rsplit("/", 1)[1] for p in compose_paths)
    storage = values["additionalInstanceConfig"]["local_artifact_storage"]["config"]["base_dir"]
    assert storage in {m["mountPath"] for m in mounts}


def test_maintenance_location_is_served_and_in_the_workspace(values, deployments, compose_workspace):
    deployment = deployments["maintenance_location"]
    assert deployment["image"]["repository"] == "dagster_etl/maintenance_location"
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    servers = {s["name"]: s for s in values["dagsterWebserver"]["workspace"]["servers"]}
    assert servers["maintenance_location"]["host"] == deployment["name"]
    compose_locations = {e["grpc_server"]["location_name"] for e in compose_workspace["load_from"]}
    assert "maintenance_location" in compose_locations


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


# --- run pods ------------------------------------------------------------------------------------


@pytest.mark.parametrize("location", LOCATIONS)
def test_run_pod_opens_the_same_lake_on_any_node(values, launcher, deployments, location, monkeypatch):
    deployment = deployments[location]
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    pod = run_job(launcher, deployment, location)["spec"]["template"]["spec"]
    assert not [key for key in PINNING_KEYS if pod.get(key)]
    [container] = pod["containers"]
    env = container["env"]
    assert len({e["name"] for e in env}) == len(env), "a variable is set twice"
    lake = lake_of(env, monkeypatch)
    assert_is_the_deployment_lake(lake, values)
    assert lake == lake_of(deployment["env"], monkeypatch)  # the code server's lake
    assert_password_from_the_lake_secret(env)
    secret_refs = {e["secretRef"]["name"] for e in container["envFrom"] if "secretRef" in e}
    assert "dagster-etl-s3" in secret_refs
    claims = {v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v}
    assert claims and claims <= rwx_claims()


def test_run_launcher_alone_gives_every_run_the_lake(values, launcher, monkeypatch):
    # A run whose location passes no env of its own still opens the lake: the K8sRunLauncher's
    # config carries the lake's settings, the writer's password and the S3 keys.
    bare = {"name": "bare-location", "image": {"repository": "dagster_etl/bare", "tag": "1"}}
    assert "env" not in run_pod_context(bare)
    [container] = run_job(launcher, bare, "bare_location")["spec"]["template"]["spec"]["containers"]
    assert_is_the_deployment_lake(lake_of(container["env"], monkeypatch), values)
    assert_password_from_the_lake_secret(container["env"])
    assert "dagster-etl-s3" in {e["secretRef"]["name"] for e in container["envFrom"] if "secretRef" in e}


def test_lake_check_catches_a_local_data_path(values, deployments, monkeypatch):
    env = copy.deepcopy(deployments["files_location"]["env"])
    [data_path] = [e for e in env if e["name"] == "LAKE_DATA_PATH"]
    data_path["value"] = "/opt/dagster/warehouse/lake/"
    with pytest.raises(AssertionError):
        assert_is_the_deployment_lake(lake_of(env, monkeypatch), values)


def test_lake_check_catches_a_literal_password(deployments):
    env = copy.deepcopy(deployments["files_location"]["env"])
    [password] = [e for e in env if e["name"] == "PGPASSWORD"]
    password.pop("valueFrom")
    password["value"] = "hunter2"
    with pytest.raises(AssertionError, match="literal"):
        assert_password_from_the_lake_secret(env)


def test_no_secret_is_a_literal_anywhere(values):
    # Every variable that holds a password or a key is read from a Secret, in values.yaml and in
    # every manifest.
    secret_like = re.compile(r"PASSWORD|SECRET|ACCESS_KEY|API_KEY")

    def env_lists(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "env" and isinstance(value, list):
                    yield value
                else:
                    yield from env_lists(value)
        elif isinstance(node, list):
            for item in node:
                yield from env_lists(item)

    found = 0
    for env in [*env_lists(values), *env_lists([doc for _, doc in DOCUMENTS])]:
        for entry in env:
            if secret_like.search(entry["name"]):
                found += 1
                assert "value" not in entry, f"{entry['name']} is a literal"
                ref = entry["valueFrom"]["secretKeyRef"]
                assert ref["key"] in secret_keys()[ref["name"]], ref
    assert found >= len(LOCATIONS) + 1  # every code server, the run launcher, the setup Job


# --- manifests -----------------------------------------------------------------------------------


def test_no_manifest_pins_a_pod_or_mentions_the_removed_volumes():
    removed = ["warehouse-files", "warehouse-api", "warehouse-replication", "dagster-etl/warehouse",
               "dagster-etl-local", "/opt/dagster/warehouse", "files_duckdb", "api_duckdb",
               "replication_duckdb"]
    texts = {path.name: path.read_text() for path in (KUBERNETES_DIR / "manifests").glob("*.yaml")}
    texts["values.yaml"] = (KUBERNETES_DIR / "values.yaml").read_text()
    for name, text in texts.items():
        assert not [word for word in removed if word in text], name
    assert not [doc for _, doc in DOCUMENTS if doc["kind"] in ("PersistentVolume", "StorageClass")]


def test_shared_volume_is_one_read_write_many_claim():
    [claim] = [doc for _, doc in DOCUMENTS if doc["kind"] == "PersistentVolumeClaim"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claim["spec"].get("storageClassName"), "name a ReadWriteMany class; the default is rarely one"


def test_secrets_the_pods_read_have_manifests(values, deployments):
    refs = [ref["name"] for d in deployments.values() for ref in d["envSecrets"]]
    refs += [ref["name"] for ref in values["runLauncher"]["config"]["k8sRunLauncher"]["envSecrets"]]
    assert set(refs) <= set(secret_keys())


def test_postgres_admits_code_servers_run_pods_and_the_setup_job(launcher, deployments):
    [policy] = [doc for _, doc in DOCUMENTS if doc["kind"] == "NetworkPolicy"]
    [rule] = policy["spec"]["ingress"]
    [peer] = rule["from"]
    [expression] = peer["podSelector"]["matchExpressions"]
    assert expression["key"] == "app.kubernetes.io/name" and expression["operator"] == "In"
    run_pod = run_job(launcher, deployments["files_location"], "files_location")["spec"]["template"]
    setup = OBJECTS["Job", "dagster-etl-lake-setup"]["spec"]["template"]
    for labels in [run_pod["metadata"]["labels"], setup["metadata"]["labels"],
                   {"app.kubernetes.io/name": CODE_SERVER_LABEL}]:
        assert labels["app.kubernetes.io/name"] in expression["values"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 5432}]


def test_no_policy_cuts_the_pods_off_from_s3():
    # Egress is left open, so code servers and run pods reach the S3 endpoint; a policy that
    # isolated their egress would need to allow it.
    for _, doc in DOCUMENTS:
        if doc["kind"] == "NetworkPolicy":
            assert "Egress" not in doc["spec"]["policyTypes"], doc["metadata"]["name"]


# --- the lake's setup Job ------------------------------------------------------------------------


def setup_containers() -> dict[str, dict]:
    spec = OBJECTS["Job", "dagster-etl-lake-setup"]["spec"]["template"]["spec"]
    return {c["name"]: c for c in [*spec.get("initContainers", []), *spec["containers"]]}


def test_setup_job_creates_the_catalog_database_as_compose_does(values, compose):
    database = setup_containers()["catalog-database"]
    assert database["image"] == compose["services"]["postgres"]["image"]
    assert (REPO_ROOT / "seed" / "initdb" / "lake.sql").is_file()
    assert "COPY --chown=postgres:postgres initdb/ /docker-entrypoint-initdb.d/" in (
        REPO_ROOT / "seed" / "Dockerfile").read_text()
    command = database["command"]
    seed = seed_psql_args()
    # The seed's database and roles are the ones the lake package logs in as.
    assert psql_variables(seed)["writer"] == LAKE.WRITER and psql_variables(seed)["reader"] == LAKE.READER
    assert command[0] == seed[0] == "psql"
    assert command[command.index("-f") + 1] == seed[seed.index("-f") + 1]
    # The same variables; the passwords come from the Secret under the names compose uses.
    ours = psql_variables(command)
    theirs = {name: re.sub(r"^\$(\w+)$", r"$(\1)", value) for name, value in seed_lake_variables().items()}
    assert ours == theirs
    env = {e["name"]: e for e in database["env"]}
    for name in ("writer_password", "reader_password"):
        [variable] = re.fullmatch(r"\$\((\w+)\)", ours[name]).groups()
        assert env[variable]["valueFrom"]["secretKeyRef"] == {"name": "dagster-etl-lake", "key": variable}
    postgres = values["postgresql"]
    assert env_values(database["env"])["PGHOST"] == postgres["postgresqlHost"]
    assert env_values(database["env"])["PGPORT"] == str(postgres["service"]["port"])
    assert {ref["secretRef"]["name"] for ref in database["envFrom"]} == {"dagster-etl-postgres-admin"}
    assert secret_keys()["dagster-etl-postgres-admin"] == {"PGUSER", "PGPASSWORD"}


def test_setup_job_prepares_the_lake_as_compose_init_does(values, deployments, monkeypatch):
    prepare = setup_containers()["prepare"]
    maintenance = deployments["maintenance_location"]
    assert prepare["image"] == f"{maintenance['image']['repository']}:{maintenance['image']['tag']}"
    assert "command" not in prepare, "the image's entrypoint must stay"
    assert shlex.join(prepare["args"]) in (REPO_ROOT / "deploy" / "docker" / "init.sh").read_text()
    assert (REPO_ROOT / "lake" / "src" / "dagster_etl_lake" / "prepare.py").is_file()
    # The lake of every code server, as the writer.
    lake = lake_of(prepare["env"], monkeypatch)
    assert_is_the_deployment_lake(lake, values)
    assert lake == lake_of(maintenance["env"], monkeypatch)
    assert_password_from_the_lake_secret(prepare["env"])
    assert "dagster-etl-s3" in {ref["secretRef"]["name"] for ref in prepare["envFrom"]}

