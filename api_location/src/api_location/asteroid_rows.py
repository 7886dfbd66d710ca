"""The columns kept from a NeoWs object: the one declaration the staging CSV, the DuckDB tables'
DDL, the dlt loads and the tests derive from."""

from collections.abc import Iterator, Mapping
from typing import Any

# Column name -> DuckDB type, in the order the tables keep them.
COLUMNS: dict[str, str] = {
    "id": "VARCHAR",
    "name": "VARCHAR",
    "absolute_magnitude_h": "DOUBLE",
    "is_potentially_hazardous_asteroid": "BOOLEAN",
    "approach_date": "DATE",
}
NULLABLE = frozenset({"absolute_magnitude_h"})  # the feed leaves it out for some objects
# An object may approach on several days: one row per object and day, reloaded by day.
PRIMARY_KEY = ("id", "approach_date")


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
