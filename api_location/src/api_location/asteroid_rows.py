"""The columns kept from a NeoWs object, shared by the staging CSV, DuckDB and dlt loads."""

from collections.abc import Iterator, Mapping
from typing import Any

COLUMNS = (
    "id",
    "name",
    "absolute_magnitude_h",
    "is_potentially_hazardous_asteroid",
    "approach_date",
)


def asteroid_rows(feed: Mapping[str, list[Mapping[str, Any]]]) -> Iterator[dict[str, Any]]:
    """One row per object and close-approach date (the feed's key for the object)."""
    for approach_date, objects in sorted(feed.items()):
        for neo in objects:
            yield {
                "id": str(neo["id"]),
                "name": neo["name"],
                "absolute_magnitude_h": neo.get("absolute_magnitude_h"),
                "is_potentially_hazardous_asteroid": bool(neo["is_potentially_hazardous_asteroid"]),
                "approach_date": approach_date,
            }
