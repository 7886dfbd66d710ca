"""HackerNewsResource: top stories from the Hacker News Firebase API, fetched concurrently."""

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import Field, PrivateAttr

from api_location import settings
from api_location.api_error import ApiError
from api_location.settings import DEFAULT_HACKERNEWS_BASE_URL

if TYPE_CHECKING:
    import requests


class HackerNewsResource(dg.ConfigurableResource):
    base_url: str | None = Field(
        default=None,
        description=f"Unset: $HACKERNEWS_BASE_URL, else {DEFAULT_HACKERNEWS_BASE_URL}.",
    )
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_retries: int = 3
    backoff_factor: float = 1.0
    max_workers: int = Field(default=16, description="Items fetched at the same time.")

    _session: Any = PrivateAttr(default=None)  # a requests.Session, made on first use

    @property
    def session(self) -> "requests.Session":
        if self._session is None:
            from api_location.http_json import build_session

            self._session = build_session(self.max_retries, self.backoff_factor)
        return self._session

    def _get(self, path: str) -> Any:
        from api_location.http_json import get_json

        return get_json(
            self.session,
            "Hacker News API",
            f"{(self.base_url or settings.hackernews_base_url()).rstrip('/')}/{path}",
            timeout=(self.connect_timeout, self.read_timeout),
            max_retries=self.max_retries,
        )

    def top_story_ids(self) -> list[int]:
        ids = self._get("topstories.json")
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise ApiError(f"Hacker News topstories.json is not a list of ids: {str(ids)[:200]!r}")
        return ids

    def item(self, item_id: int) -> dict[str, Any] | None:
        """The item, or None for ids the API answers with null (deleted or not yet visible)."""
        return self._get(f"item/{item_id}.json")

    def top_stories(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` live top stories, in ranking order."""
        ids = self.top_story_ids()[:limit]
        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            items = list(pool.map(self.item, ids))
        return [
            item
            for item in items
            if item
            and item.get("type") == "story"
            and not item.get("deleted")
            and not item.get("dead")
        ]
