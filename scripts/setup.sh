#!/bin/sh
# Creates .venv (installing Debian's python3-venv first if this Python lacks it) and installs
# glasstorch into it in editable mode with the extras named as arguments (e.g. `plot`, `dev`).
set -eu
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q python3-venv python3-pip
    else sudo apt-get update -q && sudo apt-get install -y -q python3-venv python3-pip; fi
    python3 -m venv .venv
  fi
fi
extras=$(echo "$*" | tr ' ' ',')
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e ".${extras:+[$extras]}"
