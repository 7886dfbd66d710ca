"""NASAResource against the stand-in NeoWs feed: payloads, retries and the errors users see."""

import json
import logging
import urllib.error
import urllib.request

import pytest
from conftest import TEST_KEY
from fake_apis import (
    FEED_PATH,
    MALFORMED,
    RATE_LIMITED,
    SERVER_ERROR,
    Fault,
    feed_ranges,
    objects_on,
    stall,
)

from api_location.http_json import ApiError
from api_location.nasa_client import NASAResource


@pytest.fixture
def nasa(apis):
    return NASAResource(
        api_key=TEST_KEY, base_url=apis.url, read_timeout=1.0, max_retries=3, backoff_factor=0
    )


def test_a_multi_day_range_returns_the_objects_of_every_day(nasa, apis):
    days = ["2025-04-01", "2025-04-02", "2025-04-03"]
    feed = nasa.get_feed("2025-04-01", "2025-04-03")
    assert sorted(feed) == days
    assert [len(feed[d]) for d in days] == [objects_on(d) for d in days]
    assert {neo["close_approach_data"][0]["close_approach_date"] for neo in feed["2025-04-02"]} == {
        "2025-04-02"
    }
    again = nasa.get_feed("2025-04-01", "2025-04-03")
    assert sum(map(len, again.values())) == sum(objects_on(d) for d in days)
    assert len(apis.requests_to(FEED_PATH)) == 2  # one request per call


def test_a_day_without_objects_is_an_empty_list(nasa, apis):
    apis.empty_days.add("2025-04-02")
    feed = nasa.get_feed("2025-04-01", "2025-04-02")
    assert feed["2025-04-02"] == []
    assert len(feed["2025-04-01"]) == objects_on("2025-04-01")


def test_429_waits_for_retry_after_then_succeeds(nasa, apis):
    apis.fail_next(FEED_PATH, RATE_LIMITED)
    assert len(nasa.get_feed("2025-04-01", "2025-04-01")["2025-04-01"]) == objects_on("2025-04-01")
    first, second = apis.requests_to(FEED_PATH)
    assert second - first >= 1.0  # Retry-After: 1 was honoured although backoff_factor is 0


def test_500_twice_then_success(nasa, apis):
    apis.fail_next(FEED_PATH, SERVER_ERROR, SERVER_ERROR)
    assert len(nasa.get_feed("2025-04-01", "2025-04-01")["2025-04-01"]) == objects_on("2025-04-01")
    assert len(apis.requests_to(FEED_PATH)) == 3


def test_persistent_500_fails_after_the_retries_naming_status_and_message(nasa, apis):
    apis.fail_always(FEED_PATH, SERVER_ERROR)
    with pytest.raises(
        ApiError, match=r"HTTP 500 \(after 3 retries\): Internal Server Error"
    ) as raised:
        nasa.get_feed("2025-04-01", "2025-04-01")
    assert len(apis.requests_to(FEED_PATH)) == 4
    assert TEST_KEY not in str(raised.value)


def test_the_key_travels_in_a_header_never_in_the_url(nasa, apis, caplog):
    caplog.set_level(logging.DEBUG)
    apis.fail_next(FEED_PATH, SERVER_ERROR)  # urllib3 logs the URL of a retried request
    nasa.get_feed("2025-04-01", "2025-04-01")
    assert len(apis.raw_paths) == 2
    assert not [p for p in apis.raw_paths if TEST_KEY in p]
    assert TEST_KEY not in caplog.text


def test_a_read_timeout_is_retried_then_reported(nasa, apis):
    apis.fail_next(FEED_PATH, *[stall(3)] * 4)
    with pytest.raises(ApiError, match=r"no response within the 1.0 s read timeout \(4 attempts\)"):
        nasa.get_feed("2025-04-01", "2025-04-01")


def test_a_slow_answer_then_success(nasa, apis):
    apis.fail_next(FEED_PATH, stall(3))
    assert len(nasa.get_feed("2025-04-01", "2025-04-01")["2025-04-01"]) == objects_on("2025-04-01")


def test_403_bad_key_fails_at_once_with_the_apis_message(apis):
    nasa = NASAResource(api_key="wrong-key", base_url=apis.url, backoff_factor=0)
    with pytest.raises(ApiError, match="HTTP 403: An invalid api_key was supplied") as raised:
        nasa.get_feed("2025-04-01", "2025-04-01")
    assert raised.value.status == 403
    assert len(apis.requests_to(FEED_PATH)) == 1  # a bad key is not retried


def test_the_stand_in_answers_400_for_a_range_over_seven_days(apis):
    url = f"{apis.url}{FEED_PATH}?start_date=2025-04-01&end_date=2025-04-09&api_key={TEST_KEY}"
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(url)
    assert raised.value.code == 400
    assert "The Feed date limit is only 7 Days" in json.load(raised.value)["error_message"]


def test_a_range_over_seven_days_is_fetched_in_feed_sized_requests(nasa, apis):
    feed = nasa.get_feed("2025-04-01", "2025-04-09")
    days = [f"2025-04-0{d}" for d in range(1, 10)]
    assert sorted(feed) == days
    assert [len(feed[d]) for d in days] == [objects_on(d) for d in days]
    assert feed_ranges(apis) == [("2025-04-01", "2025-04-07"), ("2025-04-08", "2025-04-09")]


def test_a_feed_failing_every_seventh_request_still_returns_every_day_once(nasa, apis):
    apis.feed_fails_every = 7
    feed = nasa.get_feed("2025-04-01", "2025-06-29")  # 90 days: 13 requests, 2 of them retried
    assert len(feed) == 90
    assert all(len(objects) == objects_on(day) for day, objects in feed.items())
    assert len(apis.requests_to(FEED_PATH)) == 13 + 2


def test_malformed_json_is_reported(nasa, apis):
    apis.fail_next(FEED_PATH, MALFORMED)
    with pytest.raises(ApiError, match="NASA NeoWs returned malformed JSON"):
        nasa.get_feed("2025-04-01", "2025-04-01")


def test_a_feed_without_near_earth_objects_is_reported(nasa, apis):
    apis.fail_next(FEED_PATH, Fault(200, '{"links": {}, "element_count": 0}'))
    with pytest.raises(ApiError, match="without a near_earth_objects object"):
        nasa.get_feed("2025-04-01", "2025-04-01")


def test_end_before_start_is_refused_before_any_request(nasa, apis):
    with pytest.raises(ValueError, match="end_date 2025-04-01 is before start_date 2025-04-02"):
        nasa.get_feed("2025-04-02", "2025-04-01")
    assert apis.requests_to(FEED_PATH) == []
