#!/usr/bin/env bash
# What `make test` needs beyond Docker and Python 3, installed where it can be (root with apt),
# otherwise named with the command to run. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

docker info >/dev/null 2>&1 || { echo "prerequisites: Docker Engine is not reachable (is the daemon running?)" >&2; exit 1; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)                      # the browser tests
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)  # replication tests' throwaway server
command -v make >/dev/null || missing+=(make)
[ ${#missing[@]} -eq 0 ] || scripts/apt-install.sh prerequisites "${missing[@]}"

if ! command -v uv >/dev/null; then
  echo "prerequisites: installing uv from PyPI (pip --user)" >&2
  python3 -m pip install --quiet --user uv==0.13.9 2>/dev/null || python3 -m pip install --quiet uv==0.13.9
fi

scripts/base-image.sh
