#!/usr/bin/env bash
# Writes .env from .env.example once: random passwords, this host's docker socket group.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .env ]; then
  exit 0
fi
gid=$(stat -c %g /var/run/docker.sock 2>/dev/null || echo 999)
umask 077
while IFS= read -r line; do
  case "$line" in
    *=change-me) printf '%s=%s\n' "${line%%=*}" "$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')" ;;
    DOCKER_GID=*) printf 'DOCKER_GID=%s\n' "$gid" ;;
    *) printf '%s\n' "$line" ;;
  esac
done < .env.example > .env
echo "env: wrote .env (random passwords, DOCKER_GID=$gid)" >&2
