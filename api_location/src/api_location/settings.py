"""Where the location reads and writes, from the environment the image and compose set."""

import os
from pathlib import Path

DEFAULT_NASA_BASE_URL = "https://api.nasa.gov"
DEFAULT_HACKERNEWS_BASE_URL = "https://hacker-news.firebaseio.com/v0"
DUCKDB_POOL = "api_duckdb"  # one writer at a time for api.duckdb, deployment-wide


def warehouse_dir() -> Path:
    return Path(os.environ.get("WAREHOUSE_DIR", "/opt/dagster/warehouse"))


def reports_dir() -> Path:
    return Path(os.environ.get("REPORTS_DIR", "/opt/dagster/reports"))


def duckdb_path() -> Path:
    return warehouse_dir() / "api.duckdb"


def nasa_base_url() -> str:
    return os.environ.get("NASA_BASE_URL") or DEFAULT_NASA_BASE_URL


def hackernews_base_url() -> str:
    return os.environ.get("HACKERNEWS_BASE_URL") or DEFAULT_HACKERNEWS_BASE_URL
