#!/usr/bin/env bash
# Idempotent set-up on Debian 12 (as root, or with sudo): the Debian packages Qt and the
# tests need, a virtual environment in .venv, and the locked Python packages.
# Usage: scripts/setup.sh            (app + test dependencies)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3-venv python3-dev
  libglib2.0-0 libegl1 libgl1 libx11-6 libfontconfig1 libfreetype6 libxkbcommon0 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-render0
  libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0 libxcb-xinerama0 libxcb-randr0 xvfb xauth
  fonts-dejavu-core
  pcscd vsmartcard-vpcd swig libpcsclite-dev
)

need_apt=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$p")
  done
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing Debian packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' || {
  echo "setup: Python 3.11 is required (found $("$PY" --version))" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements-build.lock requirements.lock requirements-dev.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages (first run takes a few minutes)"
  # Every file is checked against its hash in the lock files (pip, setuptools and wheel
  # first, pinned too). No build isolation: an isolated build would fetch its tools
  # unpinned; the one source package (pyscard) builds with the locked setuptools and
  # the Debian swig.
  .venv/bin/python -m pip install -q --require-hashes -r requirements-build.lock
  .venv/bin/python -m pip install -q --require-hashes --no-build-isolation -r requirements.lock -r requirements-dev.lock
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  echo "$want" > "$stamp"
fi
echo "setup: ready (.venv)"
