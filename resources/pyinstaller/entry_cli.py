"""Entry point of the frozen program `passport-desk` (the same as `python -m desktop_app`).

freeze_support() must run before anything parses the command line: the GUI starts its
OCR engine in a *spawned* child process, and in a frozen build that child is this very
executable started again with multiprocessing's own arguments, which argparse would
reject. PyInstaller's multiprocessing runtime hook makes freeze_support() handle them
on every platform.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--engine-child"]:  # the OCR child (desktop_app.engine_spawn.spawn_engine)
        from desktop_app.engine_spawn import child_entry

        sys.exit(child_entry(sys.argv[2:]))
    multiprocessing.freeze_support()
    from desktop_app.cli import main

    sys.exit(main())
