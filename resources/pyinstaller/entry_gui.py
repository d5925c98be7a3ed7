"""Entry point of `passport-desk-gui.exe`, the Windows build's windowed program (no console).

Starts the desktop application with any files given as arguments (Explorer's "Open
with"). A windowed program has no standard streams: give Python harmless ones, so a
log or warning written to stderr cannot fail. See entry_cli.py for freeze_support().
"""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    if sys.argv[1:2] == ["--engine-child"]:  # the OCR child (desktop_app.engine_spawn.spawn_engine)
        from desktop_app.engine_spawn import child_entry

        sys.exit(child_entry(sys.argv[2:]))
    from desktop_app.app import main

    sys.exit(main(sys.argv[1:]))
