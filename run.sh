#!/usr/bin/env bash
# Set everything up, build the index from seeds/ (only new or changed articles are embedded)
# and open the chat at http://127.0.0.1:7860.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/qa ingest seeds/
exec .venv/bin/qa ui "$@"
