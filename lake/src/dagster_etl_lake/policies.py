"""How the lake's writers run side by side: pools only where DuckLake needs them, and a step retry
for a load that failed for a reason outside its data.

Most writers need no pool: appends commit side by side, and a delete+insert that meets another
writer of its table is retried inside the step (conflicts.py). Writers whose commit cannot be
retried from here (dlt's merge and replace jobs, Sling's and the DuckDB engine's merges: an upsert
of an absent key by two writers can duplicate the key, duckdb/ducklake#1393) take their table's
pool instead; dagster.yaml gives every pool one slot, deployment-wide.
"""

import dagster as dg


def table_pool(schema: str, table: str | None = None) -> str:
    """The pool of the writers that upsert or replace `schema.table` (without a table: several
    tables of `schema` that one op writes)."""
    return f"lake/{schema}.{table}" if table else f"lake/{schema}"


# A load that fails for a reason outside its data (the catalog's connection lost, a conflict that
# outlasted its retries, a killed DuckDB CLI) is tried again; every load is one transaction, so a
# retry never duplicates rows. A file or row that breaks a contract raises
# dg.Failure(allow_retries=False) and waits for a person instead.
LOAD_RETRY = dg.RetryPolicy(max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL,
                            jitter=dg.Jitter.PLUS_MINUS)
