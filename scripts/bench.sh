#!/usr/bin/env bash
# Benchmarks: numbers next to their references, measured in the same run (never asserted).
# The stack benchmark needs the deployment running (`make up`).
set -euo pipefail
cd "$(dirname "$0")/.."
uv run --frozen --project files_location python bench/files_copy.py
uv run --frozen --project replication_location python bench/replication_sling.py
uv run --frozen python bench/stack.py
