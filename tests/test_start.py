"""A fresh clone started with the bare compose command and no .env: every service healthy, secrets
generated where no one sees them, storage migrated, the course's samples in the landing folder."""

import json

import requests
from stack import (
    LOCATIONS,
    NASA_TEST_KEY,
    ONE_SHOTS,
    SERVICES,
    URL,
    USER_FILE,
    USER_FILE_TEXT,
    compose,
    location_statuses,
    project_container_ids,
    run,
    service_container,
    service_health,
)

SECRETS = ("DAGSTER_POSTGRES_PASSWORD", "SOURCE_POSTGRES_PASSWORD", "LAKE_WRITER_PASSWORD",
           "LAKE_READER_PASSWORD")


def in_volume(volume: str, command: str) -> str:
    return run(["docker", "run", "--rm", "-v", f"dagster_etl_{volume}:/v", "--entrypoint", "sh",
                "dagster_etl/files_location:latest", "-c", command]).stdout


def secret_values() -> dict[str, str]:
    """Read as root, the way only the stack's own containers can."""
    out = run(["docker", "run", "--rm", "-v", "dagster_etl_secrets:/v:ro", "--user", "0",
               "--entrypoint", "sh", "dagster_etl/files_location:latest",
               "-c", "cd /v && for f in [A-Z]*; do printf '%s=%s\\n' $f \"$(cat $f)\"; done"]).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def test_every_service_is_healthy_and_the_one_shots_succeeded(stack):
    assert service_health(stack) == dict.fromkeys(("postgres", "webserver", "daemon", *LOCATIONS), "healthy")
    for one_shot in ONE_SHOTS:
        cid = service_container(stack, one_shot)
        state = json.loads(run(["docker", "inspect", "-f", "{{json .State}}", cid]).stdout)
        assert (state["Status"], state["ExitCode"]) == ("exited", 0), one_shot
    print(f"bare compose up -> all healthy: {stack['_SECONDS_TO_HEALTHY']} s")


def test_every_python_process_in_the_images_starts_with_the_raised_gc_threshold(stack):
    # deploy/docker/sitecustomize.py, on PYTHONPATH in all four Dagster images.
    for service in ("webserver", "daemon", *LOCATIONS):
        threshold = run(["docker", "exec", service_container(stack, service),
                         "python", "-c", "import gc; print(gc.get_threshold()[0])"]).stdout
        assert threshold.strip() == "50000", service


def test_the_workspace_has_the_four_locations_loaded(stack):
    assert location_statuses() == dict.fromkeys(LOCATIONS, "LOADED")


def test_the_ui_is_published_on_loopback_only(stack):
    ports = compose("port", "webserver", "3000", env=stack).stdout.strip()
    assert ports.startswith("127.0.0.1:"), ports
    assert requests.get(f"{URL}/server_info", timeout=10).json()["dagster_webserver_version"]


def test_passwords_were_generated_and_never_show_in_config_or_logs(stack):
    values = secret_values()
    assert set(SECRETS) <= set(values)
    assert all(len(values[name]) >= 24 for name in SECRETS)
    assert in_volume("secrets", "stat -c '%a %u:%g %n' /v/*").split("\n")[0].startswith("440 0:10001")
    # The lake's roles as libpq's password file, which libpq reads only when its owner alone may.
    assert in_volume("secrets", "stat -c '%a %u' /v/lake.pgpass").strip() == "400 10001"
    assert in_volume("secrets", "cat /v/lake.pgpass").splitlines() == [
        f"*:*:*:{role}:{values[f'{role.upper()}_PASSWORD']}" for role in ("lake_writer", "lake_reader")]
    logs = compose("logs", "--no-color", env=stack).stdout
    # The one-shot `secrets` service is handed what .env sets (here the NASA key) to store it; every
    # other container gets secrets from the volume only, and generated ones appear nowhere.
    cids = [service_container(stack, service) for service in (*SERVICES, "init")]
    inspected = run(["docker", "inspect", *cids]).stdout
    everything = run(["docker", "inspect", *project_container_ids(stack)]).stdout
    assert values["NASA_API_KEY"] == NASA_TEST_KEY
    for name, value in values.items():
        assert value not in logs, name
        assert value not in inspected, name
    for name in SECRETS:
        assert values[name] not in everything, name
    images = run(["docker", "image", "inspect",
                  *(f"dagster_etl/{n}:latest" for n in ("dagster", "postgres", *LOCATIONS))]).stdout
    assert not any(value in images for value in values.values())


def test_storage_was_migrated_before_the_webserver_and_daemon_started(stack):
    logs = compose("logs", "--no-color", "init", env=stack).stdout
    assert "Storage schema state after migration" in logs


def test_the_course_samples_are_in_the_landing_folder_and_the_users_file_was_kept(stack):
    listing = in_volume("landing", "ls /v").split()
    assert {"2018-01-22.csv", "2018-01-23.csv", "2018-01-24.csv"} <= set(listing)
    assert in_volume("landing", f"cat /v/{USER_FILE}") == USER_FILE_TEXT
    logs = compose("logs", "--no-color", "init", env=stack).stdout
    assert f"kept the landing folder's own {USER_FILE}" in logs
