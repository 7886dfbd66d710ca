"""A stand-in for the NASA NeoWs feed and the Hacker News API (standard library only).

Payloads follow the real schemas; errors follow the real error bodies: api.data.gov's 403/429
(`{"error": {"code", "message"}}`) and NeoWs' 400 (`{"code", "http_error", "error_message"}`):
400 for a feed range over 7 days or a bad date, 403 for a missing or unknown key, 429 with
Retry-After and 5xx when scripted.

In-process tests (conftest.py) start `FakeApis` in a thread and script failures with
`fail_next` / `fail_always` / `feed_fails_every`.

The deployment tests (tests/ at the repository root) run this file on its own, with nothing but
the standard library, in a container on the stack's network, and point the stack at it
(NASA_BASE_URL=http://fake-apis:<port>, HACKERNEWS_BASE_URL=http://fake-apis:<port>/v0):

    python3 fake_apis.py --host 0.0.0.0 --port 8000 [--feed-fails-every N] [--api-key KEY ...]

It prints "listening on <host>:<port>" once it accepts connections. --feed-fails-every N answers
every Nth feed request (counting retries) with HTTP 500 (or --feed-fails-with 503/429), for
backfills under faults; --api-key restricts the keys it accepts (default: any non-empty key).
"""

import argparse
import datetime as dt
import hashlib
import json
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FEED_PATH = "/neo/rest/v1/feed"
FEED_MAX_DAYS = 7


@dataclass
class Fault:
    """One scripted answer instead of the normal one."""

    status: int = 500
    body: str = '{"error": {"code": "INTERNAL_ERROR", "message": "Internal Server Error"}}'
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = (
        0.0  # seconds to stall before answering (a read timeout for short client timeouts)
    )
    content_type: str = "application/json"


RATE_LIMITED = Fault(
    429,
    '{"error": {"code": "OVER_RATE_LIMIT", "message": "You have exceeded your rate limit. '
    'Try again later or contact us at https://api.data.gov:443/contact/ for assistance"}}',
    {"Retry-After": "1"},
)
SERVER_ERROR = Fault(500)
UNAVAILABLE = Fault(
    503, '{"error": {"code": "SERVICE_UNAVAILABLE", "message": "Service Unavailable"}}'
)
MALFORMED = Fault(200, '{"links": {"next": "http://api.nasa.gov/neo/rest/v1/feed?start_date=')


def stall(seconds: float) -> Fault:
    return Fault(200, "{}", delay=seconds)


def _digits(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def neo_object(day: str, n: int, base: str) -> dict:
    """One near-earth object as the feed lists it (values derived from day and n)."""
    seed = _digits(day, n)
    neo_id = str(2000000 + (seed % 99999) * 10 + n)  # unique within a day
    h = round(17 + (seed % 1200) / 100, 2)
    km_min = round(1329 / (10 ** (h / 5)) / (0.25**0.5) * 0.5, 10)
    km_max = round(km_min * 2.2360679775, 10)

    def diameter(factor: float) -> dict:
        return {
            "estimated_diameter_min": round(km_min * factor, 10),
            "estimated_diameter_max": round(km_max * factor, 10),
        }

    approach = dt.datetime.fromisoformat(day) + dt.timedelta(minutes=seed % 1440)
    au = 0.01 + (seed % 4900) / 10000
    kps = 4 + (seed % 2600) / 100
    return {
        "links": {"self": f"{base}/neo/rest/v1/neo/{neo_id}?api_key=DEMO_KEY"},
        "id": neo_id,
        "neo_reference_id": neo_id,
        "name": f"({day[:4]} {chr(65 + seed % 26)}{chr(65 + seed // 26 % 26)}{seed % 90 + 1})",
        "nasa_jpl_url": f"https://ssd.jpl.nasa.gov/tools/sbdb_lookup.html#/?sstr={neo_id}",
        "absolute_magnitude_h": h,
        "estimated_diameter": {
            "kilometers": diameter(1),
            "meters": diameter(1000),
            "miles": diameter(0.621371192),
            "feet": diameter(3280.839895),
        },
        "is_potentially_hazardous_asteroid": seed % 7 == 0,
        "close_approach_data": [
            {
                "close_approach_date": day,
                "close_approach_date_full": approach.strftime("%Y-%b-%d %H:%M"),
                "epoch_date_close_approach": int(
                    approach.replace(tzinfo=dt.UTC).timestamp() * 1000
                ),
                "relative_velocity": {
                    "kilometers_per_second": f"{kps:.10f}",
                    "kilometers_per_hour": f"{kps * 3600:.10f}",
                    "miles_per_hour": f"{kps * 2236.936292:.10f}",
                },
                "miss_distance": {
                    "astronomical": f"{au:.10f}",
                    "lunar": f"{au * 389.1724:.10f}",
                    "kilometers": f"{au * 149597870.7:.9f}",
                    "miles": f"{au * 92955807.27:.10f}",
                },
                "orbiting_body": "Earth",
            }
        ],
        "is_sentry_object": False,
    }


def objects_on(day: str) -> int:
    """How many objects the fake lists for a day (varies by day, never zero)."""
    return 3 + _digits(day) % 5


HN_TITLES = [
    "Show HN: A tiny DuckDB extension for reading Parquet over HTTP",
    "Ask HN: How do you schedule data pipelines in 2025?",
    "Rust compiler performance improvements in the latest release",
    "Postgres query planner internals explained",
    "Why asteroids are harder to track than comets",
    "Python packaging with uv: a year later",
    "The engineering behind NASA's near-earth object survey",
    "Building reliable ETL pipelines with retries and backoff",
    "SQLite versus DuckDB for local analytics",
    "A visual guide to word clouds and text statistics",
]


def feed_ranges(apis: "FakeApis") -> list[tuple[str, str]]:
    """(start_date, end_date) of every feed request so far, in order."""
    ranges = []
    for raw in list(apis.raw_paths):
        parts = urlsplit(raw)
        if parts.path == FEED_PATH:
            query = parse_qs(parts.query)
            ranges.append((query["start_date"][0], query["end_date"][0]))
    return ranges


class FakeApis:
    """State and scripting of the stand-in; `url` is its base URL once started."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, api_keys: set[str] | None = None):
        self.api_keys = api_keys  # None: every non-empty key is accepted
        self.empty_days: set[str] = set()  # feed days listed with no objects
        self.deleted_items: set[int] = set()  # items the API answers with null
        self.story_ids = list(range(43000001, 43000001 + 40))
        self.requests: list[tuple[float, str]] = []
        self.raw_paths: list[str] = []  # path and query string, as requested
        self.feed_fails_every: int | None = None  # every Nth feed request answers feed_fault
        self.feed_fault: Fault = SERVER_ERROR
        self._feed_requests = 0
        self._faults: dict[str, deque[Fault]] = {}
        self._always: dict[str, Fault] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def hackernews_url(self) -> str:
        return f"{self.url}/v0"

    # scripting -------------------------------------------------------------------------------
    def fail_next(self, path: str, *faults: Fault) -> None:
        """Answer the next requests whose path starts with `path` with these faults, in order."""
        with self._lock:
            self._faults.setdefault(path, deque()).extend(faults)

    def fail_always(self, path: str, fault: Fault) -> None:
        with self._lock:
            self._always[path] = fault

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._always.clear()
            self.requests.clear()
            self.raw_paths.clear()
            self.empty_days.clear()
            self.deleted_items.clear()
            self.feed_fails_every = None
            self.feed_fault = SERVER_ERROR
            self._feed_requests = 0

    def requests_to(self, path: str) -> list[float]:
        with self._lock:
            return [t for t, p in self.requests if p.startswith(path)]

    def _fault_for(self, path: str, raw_path: str) -> Fault | None:
        with self._lock:
            self.requests.append((time.monotonic(), path))
            self.raw_paths.append(raw_path)
            if path == FEED_PATH:
                self._feed_requests += 1
                if self.feed_fails_every and self._feed_requests % self.feed_fails_every == 0:
                    return self.feed_fault
            for prefix, queue in self._faults.items():
                if path.startswith(prefix) and queue:
                    return queue.popleft()
            for prefix, fault in self._always.items():
                if path.startswith(prefix):
                    return fault
        return None

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> "FakeApis":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # answers ---------------------------------------------------------------------------------
    def feed(
        self, query: dict[str, list[str]], header_key: str | None = None
    ) -> tuple[int, object]:
        # api.data.gov reads the key from the X-Api-Key header or the api_key parameter
        api_key = header_key or query.get("api_key", [""])[0]
        if not api_key or (self.api_keys is not None and api_key not in self.api_keys):
            code = "API_KEY_MISSING" if not api_key else "API_KEY_INVALID"
            message = (
                "No api_key was supplied. Get one at https://api.nasa.gov:443"
                if not api_key
                else "An invalid api_key was supplied. Get one at https://api.nasa.gov:443"
            )
            return 403, {"error": {"code": code, "message": message}}
        today = dt.date.today().isoformat()
        start_s = query.get("start_date", [today])[0]
        end_s = query.get("end_date", [None])[0]
        request_url = f"http://api.nasa.gov/rest/v1/feed?start_date={start_s}&end_date={end_s}"
        try:
            start = dt.date.fromisoformat(start_s)
            end = dt.date.fromisoformat(end_s) if end_s else start + dt.timedelta(days=7)
        except ValueError:
            return 400, {
                "code": 400,
                "http_error": "BAD_REQUEST",
                "error_message": "Date Format Exception - Expected format (yyyy-mm-dd)",
                "request": request_url,
            }
        if (end - start).days > FEED_MAX_DAYS or end < start:
            return 400, {
                "code": 400,
                "http_error": "BAD_REQUEST",
                "error_message": "Date Format Exception - Expected format (yyyy-mm-dd) - "
                "The Feed date limit is only 7 Days",
                "request": request_url,
            }
        base = self.url.replace("127.0.0.1", "localhost")
        days = [(start + dt.timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
        by_day = {
            day: []
            if day in self.empty_days
            else [neo_object(day, n, base) for n in range(objects_on(day))]
            for day in days
        }

        def link(a: dt.date, b: dt.date) -> str:
            return f"{base}{FEED_PATH}?start_date={a}&end_date={b}&detailed=false&api_key=DEMO_KEY"

        span = end - start + dt.timedelta(days=1)
        return 200, {
            "links": {
                "next": link(start + span, end + span),
                "previous": link(start - span, end - span),
                "self": link(start, end),
            },
            "element_count": sum(len(v) for v in by_day.values()),
            # the real feed lists the days newest first
            "near_earth_objects": dict(sorted(by_day.items(), reverse=True)),
        }

    def story(self, item_id: int) -> object:
        if item_id not in self.story_ids or item_id in self.deleted_items:
            return None
        n = self.story_ids.index(item_id)
        return {
            "by": f"user{n}",
            "descendants": n * 3,
            "id": item_id,
            "kids": [item_id + 1000 + k for k in range(n % 3)],
            "score": 500 - n * 7,
            "time": 1743465600 + n * 600,
            "title": HN_TITLES[n % len(HN_TITLES)],
            "type": "story",
            "url": f"https://example.com/story/{item_id}",
        }

    def _handler(self):
        apis = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: str, headers=None, content_type="application/json"):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                path = parts.path
                fault = apis._fault_for(path, self.path)
                if fault is not None:
                    if fault.delay:
                        time.sleep(fault.delay)
                    self._send(fault.status, fault.body, fault.headers, fault.content_type)
                    return
                if path == FEED_PATH:
                    status, body = apis.feed(parse_qs(parts.query), self.headers.get("X-Api-Key"))
                elif path.endswith("/topstories.json"):
                    status, body = 200, apis.story_ids
                elif path.startswith("/v0/item/") and path.endswith(".json"):
                    try:
                        status, body = 200, apis.story(int(path[len("/v0/item/") : -len(".json")]))
                    except ValueError:
                        status, body = 400, {"error": "Invalid path"}
                else:
                    status, body = (
                        404,
                        {"error": {"code": "NOT_FOUND", "message": f"No route {path}"}},
                    )
                self._send(status, json.dumps(body))

        return Handler


FEED_FAULTS = {"500": SERVER_ERROR, "503": UNAVAILABLE, "429": RATE_LIMITED}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: any free port")
    parser.add_argument("--api-key", action="append", help="accept only these keys (repeatable)")
    parser.add_argument(
        "--feed-fails-every",
        type=int,
        metavar="N",
        help="answer every Nth feed request (retries count) with --feed-fails-with",
    )
    parser.add_argument("--feed-fails-with", choices=sorted(FEED_FAULTS), default="500")
    args = parser.parse_args()
    if args.feed_fails_every is not None and args.feed_fails_every < 2:
        parser.error("--feed-fails-every must be 2 or more (1 would fail every request)")
    apis = FakeApis(args.host, args.port, set(args.api_key) if args.api_key else None)
    apis.feed_fails_every = args.feed_fails_every
    apis.feed_fault = FEED_FAULTS[args.feed_fails_with]
    host, port = apis._server.server_address[:2]
    # As PID 1 of a container, python ignores SIGTERM unless told: stop at once on `docker stop`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # The socket is bound and listening: connections from now on are answered.
    print(f"listening on {host}:{port}", flush=True)
    try:
        apis._server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
