"""Command line: the same engine as the GUI, headless, for batches, integrations and tests.

``python -m desktop_app`` and ``passport-desk`` are the same program. Exit status: 0 when
every input was processed (even with no MRZ), 1 when any input failed, 2 for a usage
error. Standard output carries only the JSON; logs and diagnostics go to standard error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from desktop_app import __version__
from desktop_app.cli import chip, reading

log = logging.getLogger("desktop_app.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="passport-desk",
        description="Read passports, ID cards and visas (ICAO 9303 MRZ and visual zone).",
    )
    parser.add_argument("--version", action="version", version=f"passport-desk {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output on standard error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    reading.register(sub)
    chip.register(sub)
    try:
        from desktop_app.cli import records
    except ImportError as exc:  # storage not installed in this build
        log.debug("records commands unavailable: %s", exc)
    else:
        records.register(sub)
    gui = sub.add_parser("gui", help="start the desktop application (the default with no command)")
    gui.add_argument("files", nargs="*", help="documents to queue at start")
    gui.set_defaults(func=_run_gui)
    return parser


def _run_gui(args: argparse.Namespace) -> int:
    from desktop_app.app import main as app_main

    return int(app_main(list(args.files)))


def setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    setup_logging(args.verbose)
    if not getattr(args, "func", None):
        return _run_gui(argparse.Namespace(files=[]))
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
