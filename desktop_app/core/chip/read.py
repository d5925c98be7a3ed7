"""Read a passport chip from start to end: access, files, portrait, passive authentication."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace

from desktop_app.core.chip import lds, passive, portrait
from desktop_app.core.chip.bac import MrzKey, RandomSource, default_random
from desktop_app.core.chip.channel import Channel
from desktop_app.core.chip.errors import AccessDenied, BadAnswer, ChipError
from desktop_app.core.chip.result import Access, ChipRead
from desktop_app.core.chip.transport import CardTransport
from desktop_app.core.chip.trust_store import TrustStore
from desktop_app.core.types import Field

log = logging.getLogger(__name__)
OPTIONAL_GROUPS = ("DG14", "DG15")


def chip_fields(lines: tuple[str, ...]) -> dict[str, Field]:
    """The contract's fields from DG1's MRZ, source ``chip``. The text is digital (no OCR),
    so every character counts as certain."""
    from desktop_app.core.mrz import read_mrz

    reading = read_mrz(list(lines), confidences=[[1.0] * len(ln) for ln in lines])
    return {k: replace(f, source="chip", confidence=1.0, box=None) for k, f in reading.fields.items()}


def _open(channel: Channel, key: MrzKey, random: RandomSource, use_pace: bool) -> Access:
    """PACE when EF.CardAccess offers a protocol this reader speaks, else BAC. A chip that
    breaks off PACE with nonsense gets BAC (ICAO lets a chip offer both); a refused key is
    refused either way."""
    offered = channel.card_access() if use_pace else []
    info = next((i for i in offered if i.supported), None)
    if offered and info is None:
        log.info("chip offers PACE %s, none supported here; trying BAC", [i.protocol for i in offered])
    if info is not None:
        try:
            channel.pace(key, info, random)
            channel.select_application()
            return "PACE"
        except AccessDenied:
            raise
        except BadAnswer as exc:
            log.info("PACE failed (%s); trying BAC", exc)
            channel.sm = None
    channel.select_application()
    channel.basic_access_control(key, random)
    return "BAC"


def read_chip(
    transport: CardTransport,
    key: MrzKey,
    trust: TrustStore | None,
    *,
    random: RandomSource = default_random,
    progress: Callable[[str], None] | None = None,
    use_pace: bool = True,
) -> ChipRead:
    """Never raises a chip fault: each becomes a status and a plain message."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    files: list[str] = []
    raw: dict[str, bytes] = {}

    def step(name: str, t_start: float) -> None:
        timings[name] = (time.perf_counter() - t_start) * 1000
        if progress is not None:
            progress(name)

    try:
        channel = Channel(transport)
        t = time.perf_counter()
        access = _open(channel, key, random, use_pace)
        step("access", t)
        for name in ("COM",):
            t = time.perf_counter()
            raw[name] = lds.read_file(channel, name)
            files.append(name)
            step(name, t)
        listed = lds.parse_com(raw["COM"])
        wanted = ["DG1", "DG2", *[g for g in OPTIONAL_GROUPS if g in listed], "SOD"]
        for name in wanted:
            if name.startswith("DG") and name not in listed:
                raise BadAnswer(f"The chip does not list {name}, which every passport holds.")
            t = time.perf_counter()
            raw[name] = lds.read_file(channel, name)
            files.append(name)
            step(name, t)
        lines = lds.parse_dg1(raw["DG1"])
        face = portrait.decode(raw["DG2"])
    except ChipError as exc:
        log.info("chip read stopped: %s", exc)
        timings["total"] = (time.perf_counter() - t0) * 1000
        return ChipRead(exc.status, str(exc), transport.reader_name, None, tuple(files), timings_ms=timings)
    t = time.perf_counter()
    groups: Mapping[str, bytes] = {n: raw[n] for n in files if n.startswith("DG")}
    pa = passive.check(raw["SOD"], groups, trust)
    step("passive_authentication", t)
    fields = chip_fields(lines)
    timings["total"] = (time.perf_counter() - t0) * 1000
    return ChipRead(
        "ok", None, transport.reader_name, access, tuple(files), lines, fields, face, pa,
        offers_active_authentication="DG15" in listed,
        offers_chip_authentication="DG14" in listed,
        timings_ms=timings,
    )
