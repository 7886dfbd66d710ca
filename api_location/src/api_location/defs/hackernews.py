"""hackernews_source_data -> hackernews_wordcloud (a markdown report written by hn_io_manager)."""

import datetime as dt
import io
from typing import Any

import dagster as dg
from pydantic import Field

from api_location import settings
from api_location.hackernews_client import HackerNewsResource

REFRESH = dg.AutomationCondition.on_cron(settings.cron(settings.HACKERNEWS_REFRESH_CRON))


class HackerNewsConfig(dg.Config):
    story_limit: int = Field(default=100, ge=1, le=500, description="Top stories to fetch (1-500).")


@dg.asset(group_name="hackernews", kinds={"python"}, automation_condition=REFRESH)
def hackernews_source_data(
    context: dg.AssetExecutionContext, config: HackerNewsConfig, hackernews: HackerNewsResource
) -> list[dict[str, Any]]:
    """The current top stories (id, title, score, by, time, url), fetched concurrently."""
    stories = hackernews.top_stories(config.story_limit)
    context.add_output_metadata({"stories": len(stories)})
    return [
        {key: story.get(key) for key in ("id", "title", "score", "by", "time", "url")}
        for story in stories
    ]


@dg.asset(
    group_name="hackernews",
    kinds={"markdown"},
    io_manager_key="hn_io_manager",
    retry_policy=dg.RetryPolicy(max_retries=5, delay=5),
    freshness_policy=dg.FreshnessPolicy.time_window(fail_window=dt.timedelta(minutes=30)),
    automation_condition=REFRESH,
)
def hackernews_wordcloud(hackernews_source_data: list[dict[str, Any]]) -> bytes:
    """A word cloud (PNG) of the top story titles; hn_io_manager embeds it in a markdown report."""
    # imported here: wordcloud pulls in matplotlib, seconds of import time for every other step
    from wordcloud import STOPWORDS, WordCloud

    titles = " ".join(story["title"] for story in hackernews_source_data if story.get("title"))
    if not titles.strip():
        raise dg.Failure("hackernews_source_data has no story titles to draw a word cloud from")
    cloud = WordCloud(
        width=800,
        height=400,
        background_color="white",
        stopwords=STOPWORDS | {"Ask", "Show", "HN", "Tell"},
        random_state=42,  # same titles, same picture
    ).generate(titles)
    buffer = io.BytesIO()
    cloud.to_image().save(buffer, format="PNG")
    return buffer.getvalue()
