"""NasaDate: the run config naming the day (or days) of near-earth objects to load."""

import datetime as dt

import dagster as dg
from pydantic import Field, field_validator, model_validator


class NasaDate(dg.Config):
    date: str = Field(
        description="Close-approach day to load, YYYY-MM-DD (UTC), not in the future."
    )
    end_date: str | None = Field(
        default=None,
        description="Last day to load (inclusive), YYYY-MM-DD; unset: `date` only. A range "
        "longer than the feed's 7 days is fetched in 7-day requests.",
    )

    @field_validator("date", "end_date")
    @classmethod
    def _valid_past_day(cls, value: str | None, info) -> str | None:
        if value is None:
            return value
        try:
            day = dt.datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            raise ValueError(
                f"{info.field_name} must be a day written YYYY-MM-DD, got {value!r}"
            ) from None
        today = dt.datetime.now(dt.UTC).date()
        if day > today:
            raise ValueError(
                f"{info.field_name} {value} is in the future (today is {today.isoformat()} UTC)"
            )
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "NasaDate":
        if self.end_date is not None and self.end_date < self.date:
            raise ValueError(f"end_date {self.end_date} is before date {self.date}")
        return self

    @property
    def last_date(self) -> str:
        return self.end_date or self.date
