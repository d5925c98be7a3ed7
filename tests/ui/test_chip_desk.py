"""The desk reads the chip beside the optical read (issue 16): the virtual passport, driven
directly as the chip reader's transport, and the fake OCR reader in the engine process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest
from conftest import MRZ_LINES
from pytestqt.qtbot import QtBot

from desktop_app.core.chip.errors import NoCard, NoReader
from desktop_app.ui.application import Services
from desktop_app.ui.chip_panel import MSG_WAITING
from tests.chip.emulator import load_emulator


@pytest.fixture(scope="module")
def vp() -> ModuleType:
    return load_emulator()


@pytest.fixture(scope="module")
def pki(vp: ModuleType):  # type: ignore[no-untyped-def]
    return vp.make_pki()


class Card:
    """The virtual passport as a transport; ``threads`` records where it was called from."""

    def __init__(self, vp: ModuleType, pki, mrz: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
        self.card = vp.VirtualPassport(MRZ_LINES, vp.build_files(mrz, vp.default_portrait(), pki))
        self.reader_name = "Virtual PCD 00 00"
        self.atr = self.card.atr
        self.threads: set[str] = set()

    def transmit(self, apdu: bytes) -> bytes:
        self.threads.add(threading.current_thread().name)
        return self.card.respond(apdu)


def _use(svc: Services, connect: Callable[[str | None, float], object], trust: Path | None) -> None:
    w = svc.window
    w.chip.reader.connect_card = connect  # type: ignore[assignment]
    w.chip.reader.poll_s = 0.02
    if trust is not None:
        w.settings = replace(w.settings, chip_trust_store=str(trust))


def _trust_file(tmp_path: Path, pki) -> Path:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization

    p = tmp_path / "csca.pem"
    p.write_bytes(pki.csca.public_bytes(serialization.Encoding.PEM))
    return p


def _open(qtbot: QtBot, svc: Services, path: str) -> None:
    svc.window.add_paths([path])
    name = Path(path).name
    qtbot.waitUntil(lambda: any(it.label == name and it.status == "ready" for it in svc.controller.queue.items()),
                    timeout=15000)


def test_chip_read_beside_the_optical_read(qtbot: QtBot, services: Services, make_doc, vp, pki, tmp_path) -> None:
    card = Card(vp, pki, MRZ_LINES)
    _use(services, lambda reader, timeout: card, _trust_file(tmp_path, pki))
    w = services.window
    _open(qtbot, services, make_doc("passport.png"))
    qtbot.waitUntil(lambda: w.chip.result is not None, timeout=15000)
    assert w.chip.result.status == "ok", w.chip.result.error
    assert w.chip.isVisible()
    assert "Signed by the issuing state" in w.chip.status.text()
    for key in ("surname", "document_number", "birth_date", "expiry_date"):
        assert w.chip.mark(key) == "Chip: signed"
    assert not w.chip.portrait.pixmap().isNull()
    assert "MainThread" not in card.threads and card.threads  # off the GUI thread

    # Confirm (the specimen state asks for the operator's acknowledgement first): the record
    # keeps the chip read, and the audit trail has it.
    if w.ack_box.isVisible():
        w.ack_box.setChecked(True)
    w.confirm()
    qtbot.waitUntil(lambda: services.store.store is not None and any(
        e.action == "record.chip_read" for e in services.store.store.audit_entries()), timeout=15000)
    from desktop_app.storage.chip_records import chip_read_of

    store = services.store.store
    rid = max(e.entity_id for e in store.audit_entries() if e.action == "record.chip_read")
    kept = chip_read_of(store, rid)
    assert kept is not None and kept["passive_authentication"]["status"] == "valid"
    assert kept["fields"]["surname"]["value"] == "ERIKSSON"


def test_a_difference_between_chip_and_print_shows_both(qtbot: QtBot, services: Services, make_doc, vp, pki,
                                                        tmp_path) -> None:
    chip_mrz = (MRZ_LINES[0].replace("ERIKSSON<", "ERIKSON<<"), MRZ_LINES[1])
    card = Card(vp, pki, chip_mrz)
    _use(services, lambda reader, timeout: card, _trust_file(tmp_path, pki))
    w = services.window
    _open(qtbot, services, make_doc("passport.png"))
    qtbot.waitUntil(lambda: w.chip.result is not None, timeout=15000)
    assert w.chip.mark("surname") == "Mismatch: chip “ERIKSON”, print “ERIKSSON”"
    assert w.chip.mark("document_number") == "Chip: signed"
    # The operator's edit to the printed value re-compares at once.
    surname = w.fields.edit("surname")
    surname.setFocus()
    surname.selectAll()
    qtbot.keyClicks(surname, "ERIKSON")
    qtbot.waitUntil(lambda: w.chip.mark("surname") == "Chip: signed", timeout=5000)


def test_it_asks_for_the_document_then_reads_it(qtbot: QtBot, services: Services, make_doc, vp, pki) -> None:
    card = Card(vp, pki, MRZ_LINES)
    calls = {"n": 0}

    def connect(reader: str | None, timeout: float) -> Card:
        calls["n"] += 1
        if calls["n"] < 15:
            raise NoCard("No document is on the reader.")
        return card

    _use(services, connect, None)
    w = services.window
    _open(qtbot, services, make_doc("passport.png"))
    qtbot.waitUntil(lambda: w.chip.status.text() == MSG_WAITING or w.chip.result is not None, timeout=15000)
    qtbot.waitUntil(lambda: w.chip.result is not None, timeout=15000)
    assert calls["n"] >= 15
    assert w.chip.result.status == "ok"
    assert "not proven" in w.chip.status.text() and "trust store" in w.chip.status.text()
    assert w.chip.mark("surname") == "Chip: not proven"


def test_no_reader_keeps_the_panel_hidden(qtbot: QtBot, services: Services, make_doc) -> None:
    def connect(reader: str | None, timeout: float) -> object:
        raise NoReader("No card reader is connected.")

    _use(services, connect, None)
    w = services.window
    _open(qtbot, services, make_doc("passport.png"))
    qtbot.waitUntil(lambda: w.chip.result is not None, timeout=15000)
    assert w.chip.result.status == "no_reader"
    assert not w.chip.isVisible()


def test_wrong_key_says_so(qtbot: QtBot, services: Services, make_doc, vp, pki) -> None:
    other = (MRZ_LINES[0], "X" + MRZ_LINES[1][1:])
    card = Card(vp, pki, MRZ_LINES)
    card.card = vp.VirtualPassport(other, card.card.files)  # a chip keyed to another number
    _use(services, lambda reader, timeout: card, None)
    w = services.window
    _open(qtbot, services, make_doc("passport.png"))
    qtbot.waitUntil(lambda: w.chip.result is not None, timeout=15000)
    assert w.chip.result.status == "access_denied"
    assert "refused the access key" in w.chip.status.text()


def test_settings_dialog_edits_the_chip_reader_and_trust_store(qtbot: QtBot, tmp_path: Path) -> None:
    from desktop_app.settings import Settings, load_settings
    from desktop_app.ui.settings_dialog import SettingsDialog

    path = tmp_path / "settings.json"
    dialog = SettingsDialog(Settings(chip_reader="Omnikey"), path)
    qtbot.addWidget(dialog)
    assert dialog.chip_reader.text() == "Omnikey"
    dialog.chip_trust.setText(str(tmp_path / "csca"))
    dialog.accept()
    saved = load_settings(path)
    assert saved.chip_reader == "Omnikey"
    assert saved.chip_trust_store == str(tmp_path / "csca")
