#!/usr/bin/env bash
# Screenshots of the real window under a virtual X server (Xvfb): the main window with a
# document read, the review queue and the settings dialog, saved to docs/screenshots/.
# Uses the real OCR engine and a throw-away data folder.
# Usage: scripts/screenshots.sh [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { echo "screenshots: run scripts/setup.sh first" >&2; exit 1; }
unset QT_QPA_PLATFORM
if [ -n "${DISPLAY:-}" ] && [ -z "${SCREENSHOTS_XVFB:-}" ]; then
  exec "$PY" scripts/screenshots.py "$@"
fi
command -v xvfb-run >/dev/null || { echo "screenshots: xvfb-run is missing (apt-get install xvfb xauth)" >&2; exit 1; }
exec xvfb-run -a -s "-screen 0 1600x1000x24 -dpi 96" "$PY" scripts/screenshots.py "$@"
