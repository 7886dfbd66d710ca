#!/usr/bin/env bash
# Benchmarks: numbers next to their references, measured in the same run (never asserted).
# The deployment benchmark starts and removes its own stack (run it with no deployment up).
set -euo pipefail
cd "$(dirname "$0")/.."
uv run --frozen --project lake python bench/warehouse.py
uv run --frozen --project files_location python bench/files_copy.py
uv run --frozen --project replication_location python bench/replication_sling.py
PYTHONPATH=tests uv run --frozen python bench/deployment.py
PYTHONPATH=tests uv run --frozen python bench/backlog.py
python3 bench/images.py  # after deployment.py has built the images
