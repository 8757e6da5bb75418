#!/usr/bin/env bash
# Create .venv/ in the repo root and install the project into it.
# Usage: scripts/setup.sh [test]   ("test" adds the test tools and Debian's Chromium)
# Re-running is cheap: nothing is reinstalled while pyproject.toml is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
python="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv/ with $($python --version)"
  "$python" -m venv .venv
fi

stamp=.venv/.setup-stamp
want="$(sha256sum pyproject.toml | cut -d' ' -f1) ${extra}"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # The CPU build of torch first: left to resolve on its own, pip pulls a multi-GB CUDA build.
  .venv/bin/python -m pip install --quiet torch==2.13.0
  if [ "$extra" = test ]; then
    .venv/bin/python -m pip install --quiet -e ".[test]"
  else
    .venv/bin/python -m pip install --quiet -e .
  fi
  echo "$want" > "$stamp"
fi

if [ "$extra" = test ] && ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing Debian's chromium and chromium-driver for the browser tests"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver >/dev/null
fi
