#!/usr/bin/env bash
# Runs the compose tool that this host has: the `docker compose` plugin or standalone docker-compose.
cd "$(dirname "$0")/.."
# Builds behind a TLS-intercepting proxy need its CA; pass the host's extra CAs (public certs).
if [ -z "${EXTRA_CA_CERTS+x}" ]; then
  EXTRA_CA_CERTS=$(scripts/host-ca-certs.sh)
  export EXTRA_CA_CERTS
fi
# One project name wherever the repository was cloned (container names dagster_etl_<service>_1).
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-dagster_etl}
if docker compose version >/dev/null 2>&1; then
  exec docker compose "$@"
elif command -v docker-compose >/dev/null 2>&1; then
  exec docker-compose "$@"
fi
echo "compose: neither 'docker compose' nor 'docker-compose' is installed" >&2
exit 127
