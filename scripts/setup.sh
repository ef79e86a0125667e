#!/bin/sh
# Creates .venv (installing Debian's python3-venv first if this Python lacks it) and installs
# glasstorch into it in editable mode with the extras named as arguments (e.g. `plot`, `dev`).
# The argument `data` instead installs the real Fashion-MNIST files (Debian's
# dataset-fashion-mnist, under /usr/share/datasets/fashion-mnist) when they are missing.
set -eu
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
extras=""
for a in "$@"; do
  if [ "$a" = data ]; then
    if [ ! -d /usr/share/datasets/fashion-mnist ]; then
      as_root apt-get update -q && as_root apt-get install -y -q dataset-fashion-mnist
    fi
  else
    extras="${extras:+$extras,}$a"
  fi
done
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv 2>/dev/null; then
    rm -rf .venv
    as_root apt-get update -q && as_root apt-get install -y -q python3-venv python3-pip
    python3 -m venv .venv
  fi
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e ".${extras:+[$extras]}"
