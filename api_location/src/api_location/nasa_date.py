"""NasaDate: the run config naming the day of near-earth objects to load."""

import datetime as dt

import dagster as dg
from pydantic import Field, field_validator


class NasaDate(dg.Config):
    date: str = Field(
        description="Close-approach day to load, YYYY-MM-DD (UTC), not in the future."
    )

    @field_validator("date")
    @classmethod
    def _valid_past_day(cls, value: str) -> str:
        try:
            day = dt.datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            raise ValueError(f"date must be a day written YYYY-MM-DD, got {value!r}") from None
        today = dt.datetime.now(dt.UTC).date()
        if day > today:
            raise ValueError(f"date {value} is in the future (today is {today.isoformat()} UTC)")
        return value
