#!/usr/bin/env bash
# Set up (idempotent) and start Passport desk on the bundled sample passport.
# Without a display, it starts on a virtual one (Xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
sample=resources/samples/sample_td3.jpg
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != "offscreen" ]; then
  echo "run_app: no display found; starting on a virtual screen (xvfb-run)"
  exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m desktop_app gui "$sample" "$@"
fi
exec .venv/bin/python -m desktop_app gui "$sample" "$@"
