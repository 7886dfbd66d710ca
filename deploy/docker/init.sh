#!/bin/bash
# One-shot `init` service (the convention of Airflow's airflow-init), after Postgres and before
# the webserver and the daemon: migrate Dagster's storage, so that a newer Dagster image upgrades
# it before anything else touches it; open the lake (its catalog is made by the first ATTACH, and
# the tables of an earlier release's DuckDB files are copied in once); and put the course's
# sample files into the landing folder once, never overwriting a file a user put there.
set -euo pipefail
dagster instance migrate
python -m dagster_etl_lake.prepare
marker=/opt/dagster/storage/.course-samples-copied
if [ ! -e "$marker" ]; then
  for sample in /opt/dagster/course-samples/*.csv; do
    target=/opt/dagster/landing/$(basename "$sample")
    if [ -e "$target" ]; then
      echo "init: kept the landing folder's own $(basename "$sample")"
    else
      # Written aside and renamed, as any upload should be, so the sensor never sees half a file.
      cp "$sample" "/opt/dagster/landing/.$(basename "$sample").part" && mv "/opt/dagster/landing/.$(basename "$sample").part" "$target"
      echo "init: copied the course sample $(basename "$sample") into the landing folder"
    fi
  done
  touch "$marker"
fi
