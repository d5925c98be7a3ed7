"""A fake document reader for the engine child process (imported there by name).

It stands in for :class:`desktop_app.core.DocumentReader` so the GUI tests exercise the
real child-process machinery (spawn, pipes, cancel, kill, restart) in milliseconds. What
it does is chosen by the document's name, so one test can ask for a slow, hanging or
crashing read:

* ``...slow...``   the visual-zone stage takes ``FAKE_READER_SLOW_S`` seconds (default 3)
  and does not look at the cancel token (like a model call)
* ``...hang...``   the visual-zone stage never ends
* ``...crash...``  the process dies in the MRZ stage
* ``...boom...``   the reader raises (a bug)
* ``...nomrz...``  no MRZ is found
* ``...badcheck...`` the document number's check digit fails
* ``...expired...`` the passport expired on 2017-04-15
* ``...sentence...`` the visual zone reads a sentence as the place of birth and a run-together
  authority, both "ok" at 96% (what the visual zone alone cannot prove)

Everything else reads as the ICAO 9303 TD3 specimen (ERIKSSON ANNA MARIA).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from desktop_app.core.pipeline import CancelToken, Progress
from desktop_app.core.types import DocumentResult, Field, Flag, MrzReading
from desktop_app.settings import Settings

SPECIMEN_LINES = (
    # The ICAO 9303 TD3 specimen, with an expiry date that has not passed yet.
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F3404159ZE184226B<<<<<16",
)
SPECIMEN_VALUES = {
    "document_code": "P",
    "issuing_country": "UTO",
    "surname": "ERIKSSON",
    "given_names": "ANNA MARIA",
    "document_number": "L898902C3",
    "nationality": "UTO",
    "birth_date": "1974-08-12",
    "sex": "F",
    "expiry_date": "2034-04-15",
    "personal_number": "ZE184226B",
    "optional_data": "",
}
VIZ_VALUES = {"place_of_birth": "ZENITH", "issue_date": "2024-04-16", "authority": "PASSPORT OFFICE"}


def _boxes(width: int, height: int) -> dict[str, tuple[int, int, int, int]]:
    """Plausible boxes: MRZ fields along the bottom band, visual fields at the top right."""
    out: dict[str, tuple[int, int, int, int]] = {}
    keys = list(SPECIMEN_VALUES)
    band_top = int(height * 0.82)
    for i, key in enumerate(keys):
        x0 = int(width * (0.05 + 0.08 * i))
        out[key] = (
            x0,
            band_top,
            min(width - 1, x0 + int(width * 0.07)),
            min(height - 1, band_top + int(height * 0.05)),
        )
    for i, key in enumerate(VIZ_VALUES):
        y0 = int(height * (0.2 + 0.1 * i))
        out[key] = (int(width * 0.4), y0, int(width * 0.8), y0 + int(height * 0.05))
    return out


def _check_digit(text: str) -> str:
    def value(ch: str) -> int:
        if ch.isdigit():
            return int(ch)
        return 0 if ch == "<" else ord(ch) - 55

    return str(sum(value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(text)) % 10)


def expired_lines() -> tuple[str, str]:
    """The specimen with an expiry date of 2017-04-15 (check digits recomputed)."""
    l2 = SPECIMEN_LINES[1]
    l2 = l2[:21] + "170415" + _check_digit("170415") + l2[28:43]
    composite = l2[0:10] + l2[13:20] + l2[21:43]
    return SPECIMEN_LINES[0], l2 + _check_digit(composite)


def _reading(bad_check: bool, expired: bool = False) -> MrzReading:
    from desktop_app.core.mrz import read_mrz

    lines = expired_lines() if expired else SPECIMEN_LINES
    if bad_check:
        lines = (lines[0], lines[1][:9] + "7" + lines[1][10:])
    # As a confident recogniser reads a clean specimen: 0.99 for every character, so the
    # document number is verified (plain text would leave its 8s and 0s unproven).
    reading = read_mrz(list(lines), confidences=[[0.99] * len(line) for line in lines])
    if reading.format is not None:
        return reading
    # The MRZ engine is not there yet: a hand-made reading of the specimen.
    fields = {
        k: Field(
            v,
            0.99,
            "mrz",
            "ok",
            "check digit valid" if k in ("document_number", "birth_date", "expiry_date") else None,
        )
        for k, v in SPECIMEN_VALUES.items()
    }
    checks = {
        "document_number": "valid",
        "birth_date": "valid",
        "expiry_date": "valid",
        "personal_number": "valid",
        "composite": "valid",
    }
    if bad_check:
        fields["document_number"] = Field("L898902C3", 0.9, "mrz", "invalid", "check digit does not match")
        checks["document_number"] = "invalid"
    return MrzReading("TD3", "P", lines, lines, not bad_check, checks, fields, {}, ())


class FakeReader:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.slow_s = float(os.environ.get("FAKE_READER_SLOW_S", "3"))
        self.stage_s = float(os.environ.get("FAKE_READER_STAGE_S", "0.05"))

    def warm_up(self) -> None:
        time.sleep(float(os.environ.get("FAKE_READER_WARMUP_S", "0.1")))

    def read(
        self,
        source: Any,
        *,
        name: str | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> list[DocumentResult]:
        label = os.path.basename(name or "").lower()  # the folder may hold any word
        image = np.asarray(source)
        h, w = image.shape[:2]
        if on_progress:
            on_progress(Progress("load", None))
        if "boom" in label:
            raise RuntimeError("fake reader bug")
        time.sleep(self.stage_s)
        if "crash" in label:
            os._exit(7)
        if cancel:
            cancel.check()
        if "nomrz" in label:
            result = DocumentResult(
                status="no_mrz",
                file=name,
                flags=(Flag("no_mrz", "No machine readable zone was found."),),
                image_size=(w, h),
            )
            if on_progress:
                on_progress(Progress("mrz", None, result))
                on_progress(Progress("done", None, result))
            return [result]
        reading = _reading("badcheck" in label, "expired" in label)
        boxes = _boxes(w, h)
        fields = {k: replace(f, box=boxes.get(k)) for k, f in reading.fields.items()}
        partial = DocumentResult(
            status="ok",
            file=name,
            format=reading.format,
            document_code=reading.document_code,
            mrz=reading,
            fields=fields,
            flags=reading.flags,
            image_size=(w, h),
            timings_ms={"mrz": self.stage_s * 1000},
        )
        if on_progress:
            on_progress(Progress("mrz", None, partial))
        if cancel:
            cancel.check()
        # The visual-zone stage: like a model call, it does not look at the token.
        if "hang" in label:
            while True:
                time.sleep(1)
        time.sleep(self.slow_s if "slow" in label else self.stage_s)
        merged = dict(fields)
        for k, v in VIZ_VALUES.items():
            merged[k] = Field(v, 0.93, "viz", "unverified", "visual zone only: no check digit", boxes.get(k))
        if "sentence" in label:
            odd = {
                "place_of_birth": "6. TEXTE ET MOTIF VISIBLES UNIQUEMENT SOUS LUMIERE UV.",
                "authority": "NORTHHARBOUR",
            }
            for k, v in odd.items():
                merged[k] = Field(v, 0.96, "viz", "ok", None, boxes.get(k))
        final = replace(
            partial, fields=merged, timings_ms={"mrz": self.stage_s * 1000, "viz": self.stage_s * 1000}
        )
        if on_progress:
            on_progress(Progress("done", None, final))
        return [final]


def make_reader(settings: Settings) -> FakeReader:
    return FakeReader(settings)


def failing_factory(settings: Settings) -> FakeReader:
    raise RuntimeError("no models here")


FACTORY = "fake_reader:make_reader"
FAILING_FACTORY = "fake_reader:failing_factory"


class StagedFakeReader(FakeReader):
    """Warms up in two steps like the production reader (``MrzFirstReader``): the first
    is quick; the rest takes ``FAKE_READER_REST_S`` and then writes the time it ended
    (``time.time()``) to the file named by ``FAKE_READER_REST_MARK``."""

    def warm_up_first(self) -> None:
        pass

    def warm_up(self) -> None:
        time.sleep(float(os.environ.get("FAKE_READER_REST_S", "0")))
        mark = os.environ.get("FAKE_READER_REST_MARK")
        if mark:
            with open(mark, "w", encoding="utf-8") as f:
                f.write(repr(time.time()))


def staged_factory(settings: Settings) -> StagedFakeReader:
    return StagedFakeReader(settings)


STAGED_FACTORY = "fake_reader:staged_factory"
