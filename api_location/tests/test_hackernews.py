"""The Hacker News word cloud: stories fetched (bounded, concurrently) and a markdown report."""

import base64
import io
import re

import dagster as dg
import pytest
from fake_apis import SERVER_ERROR
from PIL import Image

from api_location.defs.hackernews import hackernews_source_data, hackernews_wordcloud
from api_location.defs.resources import resources
from api_location.hackernews_client import HackerNewsResource
from api_location.http_json import ApiError

IMAGE = re.compile(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)")


def materialize(limit: int = 100) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [hackernews_source_data, hackernews_wordcloud],
        resources=resources().resources,
        run_config={"ops": {"hackernews_source_data": {"config": {"story_limit": limit}}}},
    )


def test_the_report_is_markdown_with_a_valid_embedded_png(env, apis):
    result = materialize()
    assert result.success
    report = (env["reports"] / "hackernews_wordcloud.md").read_text()
    assert report.startswith("# Hacker News: words of the top stories\n")
    [encoded] = IMAGE.findall(report)
    image = Image.open(io.BytesIO(base64.b64decode(encoded)))
    assert image.format == "PNG"
    assert image.size == (800, 400)
    image.verify()  # raises on a truncated or corrupt PNG


def test_stories_are_bounded_by_story_limit(env, apis):
    result = materialize(limit=5)
    assert result.success
    stories = result.output_for_node("hackernews_source_data")
    assert [s["id"] for s in stories] == apis.story_ids[:5]
    assert stories[0]["title"].startswith("Show HN")
    assert len(apis.requests_to("/v0/item/")) == 5


def test_deleted_items_are_skipped(env, apis):
    apis.deleted_items.add(apis.story_ids[1])  # answered with null
    hn = HackerNewsResource(base_url=apis.hackernews_url)
    stories = hn.top_stories(3)
    assert [s["id"] for s in stories] == [apis.story_ids[0], apis.story_ids[2]]


def test_a_failing_api_names_the_status(apis):
    apis.fail_always("/v0/topstories.json", SERVER_ERROR)
    hn = HackerNewsResource(base_url=apis.hackernews_url, max_retries=1, backoff_factor=0)
    with pytest.raises(ApiError, match=r"Hacker News API answered HTTP 500 \(after 1 retries\)"):
        hn.top_stories(10)


def test_the_io_manager_reads_the_png_back(env, apis):
    assert materialize(limit=10).success
    from api_location.hn_io_manager import HackerNewsReportIOManager

    manager = HackerNewsReportIOManager(reports_dir=str(env["reports"]))
    context = dg.build_input_context(asset_key=dg.AssetKey("hackernews_wordcloud"))
    assert manager.load_input(context).startswith(b"\x89PNG\r\n\x1a\n")


def test_story_limit_is_bounded(env, apis):
    result = dg.materialize(
        [hackernews_source_data],
        resources=resources().resources,
        run_config={"ops": {"hackernews_source_data": {"config": {"story_limit": 10_000}}}},
        raise_on_error=False,
    )
    assert not result.success
    assert (
        "less than or equal to 500"
        in result.failure_data_for_node("hackernews_source_data").error.to_string()
    )
