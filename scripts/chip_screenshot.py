"""The desk reading a passport and its chip, for docs/screenshots/chip.png (issue 16).

The bundled sample passport is read by the real engine; its chip is the virtual passport
(scripts/virtual_passport.py, the sample's MRZ and the photo cut from the sample page)
served through pcscd and the vpcd reader, so the window goes through the real PC/SC stack.
Needs pcscd running (``pcscd -f &``) with vsmartcard-vpcd installed. Under Xvfb:

    xvfb-run -a -s "-screen 0 1600x1000x24 -dpi 96" .venv/bin/python scripts/chip_screenshot.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "chip.png"))
    ap.add_argument("--timeout", type=float, default=180.0)
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="passport-desk-chip-shot-"))
    os.environ["PASSPORT_DESK_HOME"] = str(work / "home")
    os.environ["PASSPORT_DESK_CONFIG"] = str(work / "home" / "settings.json")

    import cv2
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.resources import samples_dir
    from desktop_app.settings import Settings
    from desktop_app.storage import StoreSettings, open_store
    from desktop_app.ui.application import AppConfig, Services, create_application

    sample = samples_dir() / "sample_td3.jpg"
    truth = json.loads(sample.with_suffix(".json").read_text(encoding="utf-8"))
    x0, y0, x1, y1 = truth["meta"]["boxes"]["photo"]
    page = cv2.imread(str(sample))
    cv2.imwrite(str(work / "portrait.jpg"), page[y0:y1, x0:x1], [cv2.IMWRITE_JPEG_QUALITY, 90])
    (work / "identity.json").write_text(json.dumps({"mrz": truth["mrz_lines"], "portrait": "portrait.jpg"}))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    card = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "virtual_passport.py"),
                             "--identity", str(work / "identity.json"), "--pki", str(work / "pki")], env=env)
    try:
        app = create_application(["passport-desk-chip-screenshot"])
        key = os.urandom(32)
        settings = Settings(
            operator_name="a.lindqvist", workstation="counter-3",
            database_url=f"sqlite:///{work / 'records.sqlite3'}",
            chip_trust_store=str(work / "pki" / "csca.pem"),
        )
        svc = Services(AppConfig(settings=settings, open_store=lambda: open_store(
            settings.database_url, key=key, settings=StoreSettings())))
        w = svc.window
        w.resize(1500, 940)
        w.show()

        def wait(cond: Callable[[], bool], what: str) -> None:
            deadline = time.monotonic() + args.timeout
            while not cond():
                if time.monotonic() > deadline:
                    raise SystemExit(f"chip screenshot: timed out waiting for {what}")
                app.processEvents()
                time.sleep(0.01)

        c = svc.controller
        wait(lambda: svc.engine.state == "ready" and svc.store.is_open, "the engine and the database")
        c.add_files([str(sample)])
        wait(lambda: c.current is not None and c.current.status == "ready", "the optical read")
        wait(lambda: w.chip.result is not None, "the chip read")
        r = w.chip.result
        print(f"chip screenshot: chip {r.status}, passive authentication {r.passive.status}, "
              f"{r.timings_ms.get('total', 0):.0f} ms")
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        w.grab().save(str(out))
        print(f"chip screenshot: {out}")
        w._close_confirmed = True
        w.close()
        svc.shutdown()
        QApplication.processEvents()
    finally:
        card.terminate()
        card.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
