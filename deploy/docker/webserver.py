"""dagster-webserver with one addition: a pooled Postgres connection is tested when it is taken
from the pool and replaced if the server dropped it (SQLAlchemy's pessimistic disconnect handling).

The webserver keeps a pooled connection per storage; after Postgres restarts, those connections
are dead, and without this the next launch a user clicks fails with
`psycopg2.OperationalError: server closed the connection unexpectedly`."""

import sys

from sqlalchemy import event, exc
from sqlalchemy.pool import Pool


@event.listens_for(Pool, "checkout")
def _ping(dbapi_connection, _record, _proxy):
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure here means the connection is unusable
        raise exc.DisconnectionError() from error


if __name__ == "__main__":
    from dagster_webserver.cli import main

    sys.exit(main())
