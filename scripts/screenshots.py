"""Driver for scripts/screenshots.sh: opens the real window, reads the bundled samples with
the real engine, and saves PNGs of the main window, the review queue, the records view and the settings dialog.

Runs in a throw-away data folder (settings, database, key), never the user's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--timeout", type=float, default=180.0)
    ap.add_argument("--suffix", default="", help="added to each file name, e.g. -1366x768")
    ap.add_argument("--root", action="store_true", help="also save the whole screen (needs ImageMagick's import)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="passport-desk-shots-"))
    os.environ["PASSPORT_DESK_HOME"] = str(work / "home")
    os.environ["PASSPORT_DESK_CONFIG"] = str(work / "home" / "settings.json")

    from PySide6.QtWidgets import QApplication, QWidget

    from desktop_app.core.resources import samples_dir
    from desktop_app.settings import Settings
    from desktop_app.storage import StoreSettings, open_store
    from desktop_app.ui.application import AppConfig, Services, create_application
    from desktop_app.ui.settings_dialog import SettingsDialog

    app = create_application(["passport-desk-screenshots"])
    key = os.urandom(32)
    settings = Settings(
        operator_name="a.lindqvist",
        workstation="counter-3",
        database_url=f"sqlite:///{work / 'records.sqlite3'}",
        watched_folder=str(work / "scanner"),
        camera="0",
        keep_images_for_review=True,
    )
    (work / "scanner").mkdir()
    svc = Services(
        AppConfig(
            settings=settings,
            open_store=lambda: open_store(
                settings.database_url, key=key, settings=StoreSettings(keep_review_images=True)
            ),
        )
    )
    w = svc.window
    w.ask = lambda title, text: True
    w.show()  # first start: the window fits the screen by itself (maximised on a small one)

    def wait(cond: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + args.timeout
        while not cond():
            if time.monotonic() > deadline:
                raise SystemExit(f"screenshots: timed out waiting for {what}")
            app.processEvents()
            time.sleep(0.01)

    def settle(seconds: float = 0.4) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def save(widget: QWidget, name: str) -> None:
        settle()
        stem, ext = name.rsplit(".", 1)
        path = out / f"{stem}{args.suffix}.{ext}"
        widget.grab().save(str(path))
        print(f"screenshots: {path}")
        if args.root and shutil.which("import"):
            screen = out / f"{stem}{args.suffix}-screen.{ext}"
            subprocess.run(["import", "-window", "root", str(screen)], check=False)
            print(f"screenshots: {screen}")

    c = svc.controller
    samples = samples_dir()
    wait(lambda: svc.engine.state == "ready" and svc.store.is_open, "the engine and the database")
    # Something for the review queue first: the ID card sample, flagged with a reason.
    c.add_files([str(samples / "sample_td1.jpg")])
    wait(lambda: c.current is not None and c.current.status == "ready", "the first read")
    c.flag_for_review("Photo differs from the holder; please compare with the ID register.")
    wait(lambda: not c.saving and c.queue.items()[0].status == "needs review", "the flag")
    # Then the passport, with one field corrected by the operator, and a visa waiting.
    c.add_files([str(samples / "sample_td3.jpg"), str(samples / "sample_mrva.jpg")])
    wait(
        lambda: c.current is not None and c.current.label == "sample_td3.jpg" and c.current.status == "ready",
        "the passport",
    )
    form = c.form
    if form is not None and form.field("place_of_birth").value:
        c.set_value("place_of_birth", form.field("place_of_birth").value.title())
    w.fields.focus_field("surname")
    wait(lambda: all(it.status != "reading" for it in c.queue.items()), "the visa")
    save(w, "main-window.png")

    w.tabs.setCurrentIndex(1)
    rv = w.review_view
    rv.settings = replace(rv.settings, operator_name="b.okafor")  # four eyes: another person reviews
    wait(lambda: rv.model.rowCount() >= 1, "the review list")
    rv.select_review(rv.model.rows()[0].id)
    wait(lambda: rv.detail is not None, "the review detail")
    rv.comment.setText("Checked against the register: same person.")
    save(w, "review-queue.png")

    # Confirm the passport, then the records view finds it (numbers masked).
    w.tabs.setCurrentIndex(0)
    w.ack_box.setChecked(w.ack_box.isVisible())  # the specimen state, acknowledged
    w.confirm()
    wait(lambda: not c.saving, "the save")
    w.tabs.setCurrentIndex(2)
    wait(lambda: w.records_view.model.rowCount() >= 1, "the records list")
    save(w, "records.png")

    dlg = SettingsDialog(svc.settings, None, w)
    dlg.show()
    save(dlg, "settings-dialog.png")
    dlg.reject()

    w._close_confirmed = True
    w.close()
    svc.shutdown()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
