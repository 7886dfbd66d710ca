"""NASAResource: the NeoWs feed (https://api.nasa.gov, "Asteroids - NeoWs")."""

import datetime as dt
import os
from typing import Any

import dagster as dg
import requests
from pydantic import Field, PrivateAttr

from api_location import settings
from api_location.http_json import ApiError, build_session, get_json
from api_location.settings import DEFAULT_NASA_BASE_URL

DEMO_KEY = "DEMO_KEY"
FEED_MAX_DAYS = 7  # the feed refuses end_date - start_date > 7 days


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

    _session: requests.Session | None = PrivateAttr(default=None)

    @property
    def key(self) -> str:
        return self.api_key or os.environ.get("NASA_API_KEY") or DEMO_KEY

    @property
    def url(self) -> str:
        return (self.base_url or settings.nasa_base_url()).rstrip("/")

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.key == DEMO_KEY and context.log:
            context.log.warning(
                "NASA_API_KEY is not set: using DEMO_KEY, which api.nasa.gov limits to "
                "30 requests an hour and 50 a day per IP address."
            )

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = build_session(self.max_retries, self.backoff_factor)
        return self._session

    def get_feed(self, start_date: str, end_date: str) -> dict[str, list[dict[str, Any]]]:
        """Objects keyed by close-approach date; every date of the range is present."""
        start, end = dt.date.fromisoformat(start_date), dt.date.fromisoformat(end_date)
        if end < start:
            raise ValueError(f"end_date {end_date} is before start_date {start_date}")
        body = get_json(
            self.session,
            "NASA NeoWs",
            f"{self.url}/neo/rest/v1/feed",
            params={"start_date": start_date, "end_date": end_date},
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

    def get_near_earth_asteroids(self, start_date: str, end_date: str) -> list[dict[str, Any]]:
        """Every object of every day from start_date to end_date (inclusive), in date order."""
        feed = self.get_feed(start_date, end_date)
        return [neo for day in sorted(feed) for neo in feed[day]]
