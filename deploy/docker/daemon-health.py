"""Healthcheck of the daemon: each loop this deployment relies on (LOOPS) reported a heartbeat to
the instance in the last 60 s. The rule of `dagster-daemon liveness-check`, for these loops only
(the daemon runs more, e.g. the asset and freshness daemons), and without importing dagster: 0.1 s
of CPU per check instead of 1.5 s, so it can run every few seconds and the stack is healthy sooner."""

import os
import sys

import psycopg2

LOOPS = ("SCHEDULER", "SENSOR", "BACKFILL", "QUEUED_RUN_COORDINATOR", "MONITORING")


def secret(name: str) -> str:
    with open(f"/opt/dagster/secrets/{name}") as f:
        return f.read()


with psycopg2.connect(
    host=os.environ["DAGSTER_POSTGRES_HOST"],
    dbname=os.environ["DAGSTER_POSTGRES_DB"],
    user=os.environ["DAGSTER_POSTGRES_USER"],
    password=os.environ.get("DAGSTER_POSTGRES_PASSWORD") or secret("DAGSTER_POSTGRES_PASSWORD"),
    connect_timeout=3,
) as conn, conn.cursor() as cursor:
    cursor.execute(
        "SELECT daemon_type FROM daemon_heartbeats"
        " WHERE timestamp > timezone('utc', now()) - interval '60 seconds'"
    )
    alive = {row[0] for row in cursor.fetchall()}
missing = [loop for loop in LOOPS if loop not in alive]
if missing:
    sys.exit(f"no recent heartbeat from: {', '.join(missing)}")
