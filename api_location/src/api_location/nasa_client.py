"""NASAResource: the NeoWs feed (https://api.nasa.gov, "Asteroids - NeoWs")."""

import datetime as dt
from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import Field, PrivateAttr

from api_location import settings
from api_location.api_error import ApiError
from api_location.settings import DEFAULT_NASA_API_KEY, DEFAULT_NASA_BASE_URL

if TYPE_CHECKING:
    import requests

FEED_MAX_DAYS = 7  # days per feed request; the feed refuses end_date - start_date > 7 days


def feed_windows(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Consecutive (first, last) days covering start..end, each at most FEED_MAX_DAYS long."""
    windows = []
    first = start
    while first <= end:
        last = min(end, first + dt.timedelta(days=FEED_MAX_DAYS - 1))
        windows.append((first, last))
        first = last + dt.timedelta(days=1)
    return windows


class NASAResource(dg.ConfigurableResource):
    """Near-earth objects from NASA's NeoWs feed over one session with timeouts and retries."""

    # Unset fields read the environment when the run starts (in the run's own container), so a
    # run config that sets only some fields, e.g. a timeout, keeps the deployment's key and URL.
    api_key: str | None = Field(
        default=None,
        description="api.nasa.gov key. Unset: $NASA_API_KEY, else DEMO_KEY (30 requests an hour).",
    )
    base_url: str | None = Field(
        default=None, description=f"Unset: $NASA_BASE_URL, else {DEFAULT_NASA_BASE_URL}."
    )
    connect_timeout: float = Field(default=5.0, description="Seconds to wait for a connection.")
    read_timeout: float = Field(default=30.0, description="Seconds to wait for a response.")
    max_retries: int = Field(default=5, description="Retries on 429, 5xx, timeouts.")
    backoff_factor: float = Field(
        default=2.0, description="Exponential backoff between retries without Retry-After."
    )

    _session: Any = PrivateAttr(default=None)  # a requests.Session, made on first use

    @property
    def key(self) -> str:
        return self.api_key or settings.nasa_api_key()

    @property
    def url(self) -> str:
        return (self.base_url or settings.nasa_base_url()).rstrip("/")

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.key == DEFAULT_NASA_API_KEY and context.log:
            context.log.warning(
                "NASA_API_KEY is not set: using DEMO_KEY, which api.nasa.gov limits to "
                "30 requests an hour and 50 a day per IP address."
            )

    @property
    def session(self) -> "requests.Session":
        if self._session is None:
            from api_location.http_json import build_session

            self._session = build_session(self.max_retries, self.backoff_factor)
        return self._session

    def get_feed(self, start_date: str, end_date: str) -> dict[str, list[dict[str, Any]]]:
        """Objects keyed by close-approach date; every date of the range is present.

        A range longer than the feed's window is fetched window by window, so every NeoWs asset
        (run config, partitions, dlt) can ask for any range; each request is retried on its own.
        """
        start, end = dt.date.fromisoformat(start_date), dt.date.fromisoformat(end_date)
        if end < start:
            raise ValueError(f"end_date {end_date} is before start_date {start_date}")
        feed: dict[str, list[dict[str, Any]]] = {}
        for first, last in feed_windows(start, end):
            feed.update(self._get_feed_window(first, last))
        return feed

    def _get_feed_window(self, start: dt.date, end: dt.date) -> dict[str, list[dict[str, Any]]]:
        from api_location.http_json import get_json

        body = get_json(
            self.session,
            "NASA NeoWs",
            f"{self.url}/neo/rest/v1/feed",
            params={"start_date": start.isoformat(), "end_date": end.isoformat()},
            # api.data.gov takes the key as a header too: unlike a query parameter it never
            # shows up in urllib3's retry warnings or in exception messages.
            headers={"X-Api-Key": self.key},
            timeout=(self.connect_timeout, self.read_timeout),
            max_retries=self.max_retries,
        )
        by_date = body.get("near_earth_objects") if isinstance(body, dict) else None
        if not isinstance(by_date, dict):
            raise ApiError(
                "NASA NeoWs returned a feed without a near_earth_objects object: "
                f"{str(body)[:200]!r}"
            )
        days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        return {day.isoformat(): list(by_date.get(day.isoformat()) or []) for day in days}
