"""What the deployment and the UI rely on: names, pools, policies."""

import datetime as dt
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import dagster as dg

DUCKDB_WRITERS = {
    dg.AssetKey("raw_asteroid_data"),
    dg.AssetKey("asteroids_partition"),
    dg.AssetKey(["nasa_neo", "near_earth_objects"]),
    dg.AssetKey(["nasa_neo_daily", "near_earth_objects"]),
}


def test_the_location_loads_with_its_contract_names(defs):
    assert defs.resolve_job_def("asteroid_job")
    assert defs.resolve_schedule_def("date_range_schedule")
    keys = {key for a in defs.resolve_all_asset_specs() for key in [a.key]}
    assert {
        dg.AssetKey("asteroids"),
        dg.AssetKey("asteroids_file"),
        dg.AssetKey("hackernews_source_data"),
        dg.AssetKey("hackernews_wordcloud"),
    } | DUCKDB_WRITERS <= keys
    assert {"nasa", "hackernews", "duckdb", "dlt", "hn_io_manager"} <= set(defs.resources)


def test_every_duckdb_writer_is_in_the_api_duckdb_pool(defs):
    graph = defs.resolve_asset_graph()
    for key in DUCKDB_WRITERS:
        node = graph.get(key)
        assert node.pools == {"api_duckdb"}, key


def test_the_word_cloud_retries_and_has_a_freshness_policy():
    from api_location.defs.hackernews import hackernews_wordcloud

    assert hackernews_wordcloud.op.retry_policy == dg.RetryPolicy(max_retries=5, delay=5)
    policy = hackernews_wordcloud.get_asset_spec().freshness_policy
    assert policy.fail_window.to_timedelta() == dt.timedelta(minutes=30)
    assert (
        hackernews_wordcloud.get_io_manager_key_for_asset_key(dg.AssetKey("hackernews_wordcloud"))
        == "hn_io_manager"
    )


def test_the_stand_in_server_runs_standalone_with_the_stdlib_only(tmp_path):
    # -S -I: no site-packages, so the deployment can run it in any python container.
    script = Path(__file__).parent / "fake_apis.py"
    proc = subprocess.Popen(
        [sys.executable, "-S", "-I", str(script), "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = line.split(" on ")[1].split()[0]
        with urllib.request.urlopen(
            f"{url}/neo/rest/v1/feed?start_date=2025-04-01&end_date=2025-04-02&api_key=DEMO_KEY"
        ) as response:
            feed = json.load(response)
        assert set(feed["near_earth_objects"]) == {"2025-04-01", "2025-04-02"}
        assert feed["element_count"] == sum(len(v) for v in feed["near_earth_objects"].values())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_automation_conditions_are_evaluated_from_the_start(defs):
    """dlt_nasa_partition's cron and the Hacker News refresh fire in a fresh deployment: a
    sensor running by default covers every asset with an automation condition."""
    sensor = defs.resolve_sensor_def("api_automation_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    graph = defs.resolve_asset_graph()
    automated = {key for key in graph.get_all_asset_keys() if graph.get(key).automation_condition}
    assert {dg.AssetKey("hackernews_wordcloud"), dg.AssetKey(["nasa_neo_daily", "near_earth_objects"])} <= automated
    assert automated <= sensor.asset_selection.resolve(graph)
