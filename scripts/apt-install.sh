#!/usr/bin/env bash
# Installs Debian packages where it can (root with apt), otherwise names the command to run.
#   scripts/apt-install.sh <who asks> <package>...
set -euo pipefail
who=$1
shift
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "$who: missing $*; run: sudo apt-get install $*" >&2
  exit 1
fi
echo "$who: apt-get install $*" >&2
install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
# The package lists may be missing or stale (a fresh image has none): refresh them once if needed.
install "$@" 2>/dev/null || { apt-get update -qq && install "$@"; }
