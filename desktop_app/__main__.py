"""`python -m desktop_app` is the same program as `passport-desk`."""

import multiprocessing
import sys

from desktop_app.cli import main

if __name__ == "__main__":
    # In a frozen (PyInstaller) build the OCR engine's spawned child re-enters here.
    multiprocessing.freeze_support()
    sys.exit(main())
