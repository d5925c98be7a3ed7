"""The virtual passport (scripts/virtual_passport.py), driven directly or through PC/SC."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

from desktop_app.core.chip import TrustStore
from desktop_app.core.chip.errors import CardRemoved
from tests.chip.emulator import load_emulator

MRZ = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
OTHER_MRZ = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C46UTO7408122F1204159ZE184226B<<<<<10")


@pytest.fixture(scope="session")
def vp() -> ModuleType:
    return load_emulator()


@pytest.fixture(scope="session")
def pki(vp: ModuleType):  # type: ignore[no-untyped-def]
    return vp.make_pki()


@pytest.fixture(scope="session")
def portrait_jpeg(vp: ModuleType) -> bytes:
    return vp.default_portrait()


@pytest.fixture(scope="session")
def trust(pki) -> TrustStore:  # type: ignore[no-untyped-def]
    return TrustStore((pki.csca,), "test")


class DirectTransport:
    """The card object itself as a transport, with faults the tests switch on."""

    def __init__(self, card, *, remove_after: int | None = None,  # type: ignore[no-untyped-def]
                 mangle: Callable[[int, bytes], bytes] | None = None) -> None:
        self.card = card
        self.reader_name = "direct"
        self.atr = card.atr
        self.remove_after = remove_after
        self.mangle = mangle
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> bytes:
        if self.remove_after is not None and len(self.sent) >= self.remove_after:
            raise CardRemoved("The document was taken off the reader during the read. Put it back and read again.")
        self.sent.append(apdu)
        answer = self.card.respond(apdu)
        return self.mangle(len(self.sent), answer) if self.mangle else answer


@pytest.fixture
def make_card(vp: ModuleType, pki, portrait_jpeg: bytes):  # type: ignore[no-untyped-def]
    def make(tamper: str | None = None, *, mrz: tuple[str, ...] = MRZ, extended: bool = True,  # type: ignore[no-untyped-def]
             pace: str | None = None, pace_parameters: int = 12, **kw):
        files = vp.build_files(mrz, portrait_jpeg, pki, tamper)
        card = vp.VirtualPassport(mrz, files, extended=extended, pace=pace, pace_parameters=pace_parameters)
        return DirectTransport(card, **kw)

    return make
