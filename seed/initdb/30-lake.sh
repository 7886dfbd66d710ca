#!/bin/bash
# The warehouse's catalog database and its two roles (lake.sql).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --quiet -v dbname=lake -v writer=lake_writer -v writer_password="$LAKE_WRITER_PASSWORD" \
  -v reader=lake_reader -v reader_password="$LAKE_READER_PASSWORD" -f /docker-entrypoint-initdb.d/lake.sql
