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
for name in DAGSTER_POSTGRES_PASSWORD SOURCE_POSTGRES_PASSWORD; do
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
