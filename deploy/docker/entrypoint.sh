#!/bin/bash
# Entrypoint of every Dagster image (webserver, daemon, code servers and their run containers).
# 1. Secrets: each file in /opt/dagster/secrets (written by the one-shot `secrets` service) becomes
#    an environment variable of the same name, unless the environment already sets it. They never
#    enter an image, a compose file or a log line.
# 2. Started as root (webserver, daemon): join the group of the Docker socket, whatever its id on
#    this host, then drop to the user `dagster`.
set -euo pipefail
for file in /opt/dagster/secrets/*; do
  name=$(basename "$file")
  # Files named like a variable; others (lake.pgpass) are read by the programs that use them.
  [[ $name =~ ^[A-Z_][A-Z0-9_]*$ ]] && [ -f "$file" ] && [ -r "$file" ] || continue
  [ -n "${!name:-}" ] || export "$name=$(cat "$file")"
done
if [ "$(id -u)" = 0 ]; then
  groups=dagster
  [ -S /var/run/docker.sock ] && groups="$groups,$(stat -c %g /var/run/docker.sock)"
  export HOME=/home/dagster
  exec setpriv --reuid=dagster --regid=dagster --groups="$groups" -- "$@"
fi
exec "$@"
