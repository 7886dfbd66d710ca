#!/bin/bash
# One-shot `secrets` service: makes sure every secret the stack needs exists in the secrets volume.
# A value given in the environment (.env) replaces the stored one; a missing password is generated
# once (random, 32 characters) and kept. Files are readable by root and the group `dagster` only.
# Nothing is printed but the names.
set -euo pipefail
dir=/opt/dagster/secrets
umask 077
store() {  # name, value
  printf '%s' "$2" > "$dir/$1.new" && mv "$dir/$1.new" "$dir/$1"
  chown root:10001 "$dir/$1" && chmod 0440 "$dir/$1"
}
for name in DAGSTER_POSTGRES_PASSWORD SOURCE_POSTGRES_PASSWORD LAKE_WRITER_PASSWORD LAKE_READER_PASSWORD; do
  if [ -n "${!name:-}" ]; then
    store "$name" "${!name}"; echo "secrets: $name from the environment"
  elif [ ! -s "$dir/$name" ]; then
    store "$name" "$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"; echo "secrets: $name generated"
  fi
done
# Optional secrets: stored when given, removed when no longer given (so .env stays the truth).
for name in NASA_API_KEY S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY; do
  if [ -n "${!name:-}" ]; then store "$name" "${!name}"; echo "secrets: $name from the environment"
  else rm -f "$dir/$name"; fi
done
# The lake's roles as libpq's password file (PGPASSFILE in every image), so that every DuckDB
# client (the locations' sessions, dlt's, Sling's DuckDB CLI, `make sql`) logs in with a catalog
# string that holds no password, and no error can print one. libpq reads it only when no one but
# its owner may: the images' user, dagster.
pgpass() { printf '%s' "$1" | sed 's/[\\:]/\\&/g'; }
printf '*:*:*:lake_writer:%s\n*:*:*:lake_reader:%s\n' "$(pgpass "$(cat "$dir/LAKE_WRITER_PASSWORD")")" \
  "$(pgpass "$(cat "$dir/LAKE_READER_PASSWORD")")" > "$dir/lake.pgpass.new"
chown 10001:10001 "$dir/lake.pgpass.new" && chmod 0400 "$dir/lake.pgpass.new" && mv "$dir/lake.pgpass.new" "$dir/lake.pgpass"
