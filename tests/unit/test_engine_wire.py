"""The engine pipe's message format (desktop_app.engine_wire): JSON and raw arrays only."""

from __future__ import annotations

import json
import pickle
import struct
from multiprocessing import Pipe
from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.types import CharSpan, DocumentResult, Field, Flag, MrzReading, TextLine
from desktop_app.engine_process import EVENTS, WIRE, PageLoaded, ReadFinished, ReadRequest, recv_message
from desktop_app.engine_wire import WireError


def _frame(header: object, payload: bytes = b"") -> bytes:
    h = json.dumps(header).encode()
    return struct.pack(">I", len(h)) + h + payload


def test_a_page_and_a_full_result_round_trip() -> None:
    image = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    page = WIRE.decode(WIRE.encode(PageLoaded(3, 0, 1, None, image, (50, 40))))
    assert isinstance(page, PageLoaded) and page.size == (50, 40)
    assert page.image.dtype == np.uint8 and np.array_equal(page.image, image)
    mrz = MrzReading(
        format="TD3",
        document_code="P",
        lines=("P<UTO", "L898"),
        raw_lines=("P<UTO", "L898"),
        valid=True,
        checks={"birth_date": "valid"},
        fields={"surname": Field("ERIKSSON", 0.9, "mrz", box=(1, 2, 3, 4))},
        spans={"surname": CharSpan(0, 5, 13)},
        flags=(Flag("x", "y"),),
    )
    r = DocumentResult(
        status="ok",
        file="a.png",
        mrz=mrz,
        fields=dict(mrz.fields),
        flags=(Flag("a", "b"),),
        timings_ms={"mrz": 1.5},
        text=(TextLine("ABC", 0.5, (0, 0, 1, 1)),),
        image_size=(5, 4),
    )
    back = WIRE.decode(WIRE.encode(ReadFinished(9, (r,))))
    assert back == ReadFinished(9, (r,))
    assert back.results[0].fields["surname"].box == (1, 2, 3, 4)
    with pytest.raises(TypeError):
        back.results[0].fields["x"] = 1  # still read-only
    assert WIRE.decode(WIRE.encode(ReadRequest(1, b"\x89PNG\x00", "clip"))).source == b"\x89PNG\x00"


def test_a_pickle_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self) -> object:
            return (open, (str(marker), "w"))

    with pytest.raises(WireError):
        WIRE.decode(pickle.dumps(Evil()))
    assert not marker.exists()


@pytest.mark.parametrize(
    ("frame", "why"),
    [
        (b"", "too short"),
        (b"\x00\x00\x10\x00{}", "length out of range"),
        (b"\x00\x00\x00\x02\xff\xfe", "malformed"),
        (_frame({"$dc": "system", "f": {}}), "unknown message type"),
        (_frame({"$dc": "Popen", "f": {"args": "sh"}}), "unknown message type"),
        (_frame({"$dc": "ReadCancelled", "f": {"request_id": 1, "__class__": 2}}), "unexpected fields"),
        (_frame({"$dc": "ReadCancelled", "f": {}}), "malformed"),  # a required field missing
        (_frame({"__reduce__": [1]}), "unknown tag"),
        (_frame({"$nd": ["|O", [1], 0]}), "not allowed"),
        (_frame({"$nd": ["|u1", [10, 10], 0]}, b"x" * 99), "past the end"),
        (_frame({"$b": [-1, 3]}, b"abc"), "bad payload"),
        (_frame({"$t": [{"$t": [1]}] * 1}), "unexpected message"),
        (_frame(json.loads("[" * 40 + "]" * 40)), "nested too deeply"),
    ],
)
def test_garbled_frames_are_wire_errors(frame: bytes, why: str) -> None:
    with pytest.raises(WireError, match=why):
        WIRE.decode(frame, EVENTS)


def test_an_oversized_frame_is_refused_before_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop_app.engine_process as ep

    monkeypatch.setattr(ep, "MAX_FRAME", 100)
    r, w = Pipe(duplex=False)
    w.send_bytes(b"x" * 1000)
    with pytest.raises(WireError, match="too large"):
        recv_message(r, EVENTS)


def test_object_arrays_and_unknown_types_do_not_encode() -> None:
    with pytest.raises(TypeError):
        WIRE.encode(PageLoaded(1, 0, 1, None, np.array([object()]), (1, 1)))
    with pytest.raises(TypeError):
        WIRE.encode(ReadRequest(1, Path("x"), None))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((4, 4, 1), np.uint8),  # Qt would read 3 bytes a pixel out of a 1-byte buffer
        np.zeros((4, 4, 4), np.uint8),
        np.zeros((4, 4, 3), np.float32),
        np.zeros((0, 4, 3), np.uint8),
        np.zeros((4,), np.uint8),
    ],
)
def test_a_page_image_qt_cannot_wrap_safely_is_refused(image: np.ndarray) -> None:
    r, w = Pipe(duplex=False)
    w.send_bytes(WIRE.encode(PageLoaded(1, 0, 1, None, image, (4, 4))))
    with pytest.raises(WireError, match="bad page image"):
        recv_message(r, EVENTS)


def test_wrong_types_inside_a_well_formed_message_are_refused() -> None:
    r, w = Pipe(duplex=False)
    w.send_bytes(WIRE.encode(ReadFinished(1, ("not a result",))))  # type: ignore[arg-type]
    with pytest.raises(WireError, match="bad results"):
        recv_message(r, EVENTS)
    w.send_bytes(WIRE.encode(ReadFinished(True, ())))
    with pytest.raises(WireError, match="request id"):
        recv_message(r, EVENTS)
