"""ApiError, apart from the HTTP client (http_json) so that raising or catching it needs no
requests import."""


class ApiError(Exception):
    """An API answered with an error (or not at all); the message says which and why."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status
