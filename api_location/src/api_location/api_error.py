"""ApiError, apart from the HTTP client (http_json) so that raising or catching it needs no
requests import."""

from contextlib import contextmanager

import dagster as dg


class ApiError(Exception):
    """An API answered with an error (or not at all); the message says which and why."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@contextmanager
def final_in_this_step():
    """An API error inside a step that also loads the lake: not for the step's RetryPolicy (which
    is for the lake's side), since the API client has already retried what can be retried
    (429, 5xx, timeouts) and the rest (400, 403) will not change."""
    try:
        yield
    except ApiError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from error
