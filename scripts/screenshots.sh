#!/usr/bin/env bash
# Screenshots of the real window under a virtual X server (Xvfb) with a window manager
# (openbox, when installed): the main window with a document read, the review queue, the
# records and the settings dialog, saved to docs/screenshots/ with the screen size in the
# name. The window starts as at a first start (no saved geometry): it fits the screen.
# Uses the real OCR engine and a throw-away data folder.
# Usage: scripts/screenshots.sh [WIDTHxHEIGHT ...]   (default: 1366x768 1920x1080)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || { echo "screenshots: run scripts/setup.sh first" >&2; exit 1; }
unset QT_QPA_PLATFORM
command -v Xvfb >/dev/null || { echo "screenshots: Xvfb is missing (apt-get install xvfb xauth)" >&2; exit 1; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1366x768 1920x1080)
display=:$((90 + RANDOM % 100))
for size in "${sizes[@]}"; do
  Xvfb "$display" -screen 0 "${size}x24" -dpi 96 -nolisten tcp &
  xvfb=$!
  sleep 1
  wm=""
  if command -v openbox >/dev/null; then
    DISPLAY=$display openbox >/dev/null 2>&1 &
    wm=$!
    sleep 1
  fi
  DISPLAY=$display "$PY" scripts/screenshots.py --suffix="-$size" --root || status=$?
  [ -n "$wm" ] && kill "$wm" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  wait 2>/dev/null || true
  [ "${status:-0}" -eq 0 ] || exit "$status"
done
