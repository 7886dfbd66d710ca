"""One HTTP session per API client: timeouts, retries with backoff on 429/5xx, clear errors.

Imported when a client makes its first request: requests and urllib3 cost about 0.2 s of import
time that loading the definitions does without.
"""

import json
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from api_location.api_error import ApiError

RETRY_STATUSES = (429, 500, 502, 503, 504)
__all__ = ["ApiError", "build_session", "get_json"]


def build_session(
    max_retries: int, backoff_factor: float, backoff_max: float = 120.0
) -> requests.Session:
    # urllib3 retries connection errors, read timeouts and the statuses above, sleeping for
    # Retry-After when the API sends it (429/503) and for exponential backoff otherwise.
    # raise_on_status=False hands back the last error response so its message can be reported.
    retry = Retry(
        total=max_retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        backoff_factor=backoff_factor,
        backoff_max=backoff_max,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_maxsize=32)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def error_message(response: requests.Response) -> str:
    """The API's own explanation: api.data.gov, NeoWs and Firebase each nest it differently."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:500] or response.reason or ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        for key in ("error_message", "message", "error"):
            if body.get(key):
                return str(body[key])
    return json.dumps(body)[:500]


def get_json(
    session: requests.Session,
    api_name: str,
    url: str,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout: tuple[float, float],
    max_retries: int,
) -> Any:
    """GET url and decode its JSON body, raising ApiError that names the API, status and message."""
    attempts = max_retries + 1
    try:
        response = session.get(url, params=params, headers=headers, timeout=timeout)
    except requests.exceptions.RequestException as exc:
        if _caused_by(exc, ReadTimeoutError):
            raise ApiError(
                f"{api_name}: no response within the {timeout[1]} s read timeout "
                f"({attempts} attempts)"
            ) from exc
        if _caused_by(exc, NewConnectionError):  # refused, unresolvable: before any timeout
            raise ApiError(f"{api_name}: could not connect ({attempts} attempts): {exc}") from exc
        if _caused_by(exc, ConnectTimeoutError):
            raise ApiError(
                f"{api_name}: could not connect within {timeout[0]} s ({attempts} attempts)"
            ) from exc
        raise ApiError(f"{api_name}: request failed ({attempts} attempts): {exc}") from exc

    if response.status_code >= 400:
        retried = response.status_code in RETRY_STATUSES and max_retries > 0
        suffix = f" (after {max_retries} retries)" if retried else ""
        raise ApiError(
            f"{api_name} answered HTTP {response.status_code}{suffix}: {error_message(response)}",
            status=response.status_code,
        )
    try:
        return response.json()
    except ValueError as exc:
        snippet = response.text[:200].replace("\n", " ")
        raise ApiError(f"{api_name} returned malformed JSON ({exc}): {snippet!r}") from exc


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    # requests wraps urllib3's errors (MaxRetryError.reason holds the last one) in its own.
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        visited.add(id(seen))
        if isinstance(seen, kind):
            return True
        if isinstance(seen, MaxRetryError) and isinstance(seen.reason, kind):
            return True
        nested = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = nested or seen.__cause__ or seen.__context__
    return False
