"""The UI as a user sees it, in a real browser (Debian's chromium driven by Playwright): the three
locations loaded, the walkthrough's runs, the schedules and sensors, the pools. Screenshots of each
page go to build/test-artifacts/browser/."""

import re
from urllib.parse import quote

import pytest
import yaml
from playwright.sync_api import expect, sync_playwright
from stack import LOCATIONS, ROOT, URL, lake_query
from walkthrough import steps

SHOTS = ROOT / "build" / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
expect.set_options(timeout=30_000)  # a page's data arrives after its first paint


@pytest.fixture(scope="module")
def page(stack):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def test_deployment_page_shows_the_three_locations_loaded(page):
    page.goto(f"{URL}/deployment/locations")
    for location in LOCATIONS:
        expect(page.get_by_role("link", name=f"{location} {location}")).to_be_visible()
        expect(page.get_by_text(f"image: dagster_etl/{location}:latest")).to_be_visible()
    expect(page.get_by_text("Loaded").nth(len(LOCATIONS) - 1)).to_be_visible()  # one per location
    page.screenshot(path=SHOTS / "locations.png")


@pytest.mark.parametrize("job", ["import_job", "import_partition_job", "postgres_refresh", "orders_refresh"])
def test_runs_page_filtered_by_job_shows_the_walkthroughs_run_succeeded(page, job):
    page.goto(f"{URL}/runs?q%5B0%5D={quote(f'job:{job}')}")
    expect(page.get_by_role("link", name=job, exact=True).first).to_be_visible()
    expect(page.get_by_text("Success", exact=True).first).to_be_visible()
    page.screenshot(path=SHOTS / f"runs-{job}.png")


def test_import_job_launched_from_the_launchpad_with_the_walkthroughs_config_succeeds(page):
    """What the walkthrough's first step tells a user to do, done in the browser: the Launchpad with
    the README's run config, Launch Run, then the run's page until it says Success."""
    [step] = [s for s in steps(ROOT / "README.md") if s.job == "import_job"]
    page.goto(f"{URL}/locations/files_location/jobs/import_job/playground/setup?config={quote(yaml.safe_dump(step.run_config))}")
    expect(page.get_by_text("2018-01-22.csv").first).to_be_visible()  # the config is in the editor
    page.screenshot(path=SHOTS / "launchpad.png")
    page.get_by_role("button", name="Launch Run").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}"))
    expect(page.get_by_text("Success", exact=True).first).to_be_visible(timeout=180_000)
    page.screenshot(path=SHOTS / "launched-run.png")
    assert lake_query(step.sql) == [tuple(row) for row in step.rows]


def test_automation_page_shows_the_schedules_and_the_landing_sensor(page):
    page.goto(f"{URL}/automation")
    for name in ("date_range_schedule", "import_partition_schedule", "landing_folder_sensor",
                 "postgres_refresh_daily"):
        expect(page.get_by_text(name, exact=True).first).to_be_visible()
    page.screenshot(path=SHOTS / "automation.png")


def test_asset_lineage_of_the_file_import_is_drawn(page):
    page.goto(f"{URL}/asset-groups")
    expect(page.get_by_text("file_import").first).to_be_visible()
    page.goto(f"{URL}/locations/files_location/asset-groups/file_import/lineage")
    expect(page.get_by_text("duckdb_table").first).to_be_visible()
    expect(page.get_by_text("import_file").first).to_be_visible()
    page.screenshot(path=SHOTS / "lineage.png")


def test_concurrency_page_shows_the_lakes_pools(page):
    page.goto(f"{URL}/deployment/concurrency")
    for pool in ("lake/sling", "lake/maintenance"):  # those the walkthrough's runs took
        expect(page.get_by_text(pool, exact=True).first).to_be_visible()
    page.screenshot(path=SHOTS / "concurrency.png")
