"""Values that must be written in several files, kept equal (no Docker needed; runs first in
`make test`): the location list, the variables forwarded to runs, the variables compose reads and
.env.example documents, the first Dockerfile layer, the instance classes every image carries, the
pool names."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from stack import LOCATIONS, ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
INSTANCE = yaml.safe_load((ROOT / "dagster.yaml").read_text())
DOCKERFILES = [ROOT / "Dockerfile", *(ROOT / location / "Dockerfile" for location in LOCATIONS)]
# The locations that load into the lake, each into its own schema.
LAKE_SCHEMAS = {"files_location": "files", "api_location": "api", "replication_location": "replication"}


def test_the_location_list_is_the_same_everywhere():
    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text())
    assert [entry["grpc_server"]["location_name"] for entry in workspace["load_from"]] == list(LOCATIONS)
    assert [entry["grpc_server"]["host"] for entry in workspace["load_from"]] == list(LOCATIONS)
    assert [s for s in COMPOSE["services"] if s.endswith("_location")] == list(LOCATIONS)
    redeploy = (ROOT / "scripts" / "redeploy.sh").read_text()
    assert re.search(r"\n\s*([\w|]+)\) ;;", redeploy).group(1).split("|") == list(LOCATIONS)
    assert f"for location in {' '.join(LOCATIONS)}; do" in (ROOT / "scripts" / "test.sh").read_text()


def test_each_location_image_runs_its_own_module_as_a_grpc_server():
    for location in LOCATIONS:
        service = COMPOSE["services"][location]
        assert service["image"] == f"dagster_etl/{location}:latest"
        assert service["build"]["dockerfile"] == f"{location}/Dockerfile"
        assert service["environment"]["DAGSTER_CURRENT_IMAGE"] == service["image"]
        cmd = (ROOT / location / "Dockerfile").read_text().split("\nCMD ")[-1]
        assert cmd.startswith('["dagster", "api", "grpc", "-h", "0.0.0.0", "-p", "4000", '
                              f'"-m", "{location}.definitions", "--location-name", "{location}"]')


def test_runs_get_every_non_secret_variable_the_daemon_has():
    forwarded = set(INSTANCE["run_launcher"]["config"]["env_vars"])
    assert forwarded == set(COMPOSE["services"]["daemon"]["environment"])
    assert not {name for name in forwarded if re.search(r"PASSWORD|SECRET|API_KEY|ACCESS_KEY", name)}


def test_runs_mount_the_volumes_the_code_servers_have():
    mounted = {m.split(":")[0].removeprefix("dagster_etl_") + ":" + m.split(":", 1)[1]
               for m in INSTANCE["run_launcher"]["config"]["container_kwargs"]["volumes"]}
    for location in LOCATIONS:
        assert set(COMPOSE["services"][location]["volumes"]) == mounted


def test_every_image_has_the_instance_classes_dagster_yaml_names():
    # Every process that loads the instance imports them: webserver, daemon, code servers, runs.
    ours = {INSTANCE["storage"]["custom"]["module"], INSTANCE["run_coordinator"]["module"]}
    assert ours == {"dagster_etl_instance"}
    copy = "COPY deploy/docker/dagster_etl_instance.py deploy/docker/sitecustomize.py /opt/dagster/lib/"
    for dockerfile in DOCKERFILES:
        text = dockerfile.read_text()
        assert copy in text, dockerfile
        assert "ENV PYTHONPATH=/opt/dagster/lib" in text, dockerfile


def test_the_instance_classes_are_dagsters_own_with_the_queue_read_every_half_second(monkeypatch):
    from dagster._core.run_coordinator import QueuedRunCoordinator
    from dagster._serdes.config_class import ConfigurableClassData
    from dagster_postgres import DagsterPostgresStorage

    monkeypatch.syspath_prepend(str(ROOT / "deploy" / "docker"))
    import dagster_etl_instance

    storage = INSTANCE["storage"]["custom"]
    assert issubclass(getattr(dagster_etl_instance, storage["class"]), DagsterPostgresStorage)
    queue = INSTANCE["run_coordinator"]
    coordinator = ConfigurableClassData(queue["module"], queue["class"], yaml.safe_dump(queue["config"]))
    coordinator = coordinator.rehydrate(as_type=QueuedRunCoordinator)
    assert coordinator.dequeue_interval_seconds == 0.5


def test_env_example_documents_exactly_the_variables_compose_reads():
    read = set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yaml").read_text()))
    documented = set(re.findall(r"^(\w+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read == documented


def test_the_layers_images_share_are_written_alike_in_every_dockerfile():
    """Docker stores a layer once only when every instruction up to it is the same; the layers of
    shared packages come in one order (dagster, duckdb, dlt), each image taking a prefix of it."""
    def shared_part(path):
        text = path.read_text()
        last = text.rindex("-r /opt/dagster/layers/")
        return text[text.index("FROM "):text.index("\n", last)]

    fullest = shared_part(ROOT / "files_location" / "Dockerfile")
    for path in DOCKERFILES:
        part = shared_part(path)
        assert fullest.startswith(part), path.relative_to(ROOT)
        assert "-r /opt/dagster/layers/dagster.txt" in part, path.relative_to(ROOT)


def test_the_shared_layers_pin_what_every_lock_pins():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "image_layers.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + result.stdout


def test_every_pool_takes_one_writer_at_a_time_and_waits_without_a_container_each():
    """Pools are only where DuckLake needs them (lake/<schema>.<table>, dagster_etl_lake.policies;
    the locations' test_definitions check which op has which): one slot each, deployment-wide."""
    pools = INSTANCE["concurrency"]["pools"]
    assert (pools["default_limit"], pools["granularity"], pools["op_granularity_run_buffer"]) == (1, "op", 1)


def test_no_file_outside_git_sits_in_a_location_source_tree():
    """An image builds whatever its source tree holds: a probe module a test left behind, or any
    untracked code, would ship. (__pycache__ is excluded from builds by .dockerignore.)"""
    out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all", "--",
                          *(f"{location}/src" for location in LOCATIONS)],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    strays = [line[3:] for line in out.splitlines() if line[:2] in {"??", "!!"} and "__pycache__" not in line]
    assert strays == []


def test_every_location_has_the_same_skeleton():
    """A newcomer who knows one location knows where everything is in the others."""
    for location in LOCATIONS:
        package = ROOT / location / "src" / location
        for module in ("settings.py", "definitions.py", "defs/resources.py"):
            assert (package / module).is_file(), f"{location}: no {module}"
        settings = (package / "settings.py").read_text()
        assert "def cron(variable: str) -> str:" in settings, location
        if location in LAKE_SCHEMAS:
            assert f'LAKE_SCHEMA = "{LAKE_SCHEMAS[location]}"' in settings, location


def test_the_deliberate_copies_between_locations_are_equal():
    """Each location is its own package with its own lock file and image, so a helper they all
    need is copied, not shared; these copies must not drift."""
    def function(location, module, name):
        tree = ast.parse((ROOT / location / "src" / location / module).read_text())
        return next(ast.unparse(node) for node in tree.body if getattr(node, "name", None) == name)

    for module, name in (("settings.py", "cron"),):
        copies = {location: function(location, module, name) for location in LOCATIONS}
        assert len(set(copies.values())) == 1, (module, name)
    # files_location and api_location load their defs modules the same way.
    loaders = {location: (ROOT / location / "src" / location / "definitions.py").read_text()
               .replace(location, "<loc>")
               for location in ("files_location", "api_location")}
    assert len(set(loaders.values())) == 1


def test_ruff_finds_nothing_anywhere():
    """ruff.toml is the one lint configuration for the locations, tests/, bench/, deploy/ and
    scripts/; the ruff pinned in the dev group checks all of them, so a finding fails here first."""
    ruff = Path(sys.executable).parent / "ruff"
    ruff = str(ruff) if ruff.is_file() else shutil.which("ruff")
    assert ruff, "no ruff: `uv sync` installs the dev group's"
    result = subprocess.run([ruff, "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
