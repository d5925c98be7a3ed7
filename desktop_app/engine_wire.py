"""The engine child's message format: length-prefixed JSON plus raw array bytes, never pickle.

The OCR child parses untrusted documents (image and PDF decoders), so the GUI treats
everything it sends as hostile: a message is decoded into one of a fixed set of frozen
dataclasses, or :class:`WireError` is raised. No class is looked up by a name taken from
the message, nothing is evaluated, and numpy arrays are rebuilt from raw bytes with a
checked dtype and shape.

One frame (the pipe's own length prefix delimits frames)::

    4 bytes   big-endian length N of the header
    N bytes   UTF-8 JSON header
    rest      the payload: the bytes of every ``bytes`` value and array, back to back

JSON values are plain except for a few tagged objects: ``{"$dc": name, "f": {...}}`` a
dataclass from :data:`Wire.classes`, ``{"$t": [...]}`` a tuple, ``{"$m": {...}}`` a
mapping, ``{"$b": [offset, length]}`` bytes and ``{"$nd": [dtype, shape, offset]}`` an
array.
"""

from __future__ import annotations

import dataclasses
import json
import struct
from collections.abc import Iterable, Mapping
from typing import Any, Final

import numpy as np

MAX_FRAME: Final = 512 * 1024 * 1024
"""Largest frame accepted (a clipboard image one way, a display page the other)."""
MAX_HEADER: Final = 16 * 1024 * 1024
MAX_DEPTH: Final = 32
ARRAY_DTYPES: Final = frozenset({"|u1", "<u2", "<i4", "<f4", "<f8", "|b1"})
"""Array element types that may cross (never ``object``: that would need pickle)."""

_HEAD = struct.Struct(">I")


class WireError(ValueError):
    """A frame that is not a well-formed message of the expected kinds."""


class Wire:
    """Encoder/decoder for a fixed set of frozen dataclasses (by class name)."""

    def __init__(self, classes: Iterable[type]) -> None:
        self.classes: dict[str, type] = {}
        for cls in classes:
            if not dataclasses.is_dataclass(cls):
                raise TypeError(f"{cls!r} is not a dataclass")
            self.classes[cls.__name__] = cls

    # -- encode ------------------------------------------------------------------------------
    def encode(self, msg: object) -> bytes:
        payload: list[bytes] = []
        offset = [0]

        def blob(b: bytes) -> int:
            at = offset[0]
            payload.append(b)
            offset[0] += len(b)
            return at

        def enc(v: Any) -> Any:
            if v is None or isinstance(v, bool | int | float | str):
                return v
            if isinstance(v, bytes | bytearray | memoryview):
                b = bytes(v)
                return {"$b": [blob(b), len(b)]}
            if isinstance(v, np.ndarray):
                a = np.ascontiguousarray(v)
                if a.dtype.str not in ARRAY_DTYPES:
                    raise TypeError(f"arrays of {a.dtype} do not cross the engine pipe")
                return {"$nd": [a.dtype.str, list(a.shape), blob(a.tobytes())]}
            if isinstance(v, np.generic):
                return v.item()
            if isinstance(v, tuple):
                return {"$t": [enc(x) for x in v]}
            if isinstance(v, list):
                return [enc(x) for x in v]
            if isinstance(v, Mapping):
                return {"$m": {_key(k): enc(x) for k, x in v.items()}}
            if dataclasses.is_dataclass(v) and not isinstance(v, type):
                name = type(v).__name__
                if self.classes.get(name) is not type(v):
                    raise TypeError(f"{name} is not a message type of this pipe")
                return {"$dc": name, "f": {f.name: enc(getattr(v, f.name)) for f in dataclasses.fields(v)}}
            raise TypeError(f"{type(v).__name__} does not cross the engine pipe")

        header = json.dumps(enc(msg), separators=(",", ":"), allow_nan=True).encode("utf-8")
        return _HEAD.pack(len(header)) + header + b"".join(payload)

    # -- decode ------------------------------------------------------------------------------
    def decode(self, frame: bytes, expect: tuple[type, ...] | None = None) -> Any:
        """The message in ``frame``; :class:`WireError` for anything else."""
        try:
            return self._decode(memoryview(frame), expect)
        except WireError:
            raise
        except (
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            RecursionError,
            UnicodeDecodeError,
            struct.error,
            OverflowError,
        ) as exc:
            raise WireError(f"malformed engine message ({type(exc).__name__}: {exc})") from None

    def _decode(self, frame: memoryview, expect: tuple[type, ...] | None) -> Any:
        if len(frame) < _HEAD.size:
            raise WireError("engine message too short")
        (n,) = _HEAD.unpack(frame[: _HEAD.size])
        if n > MAX_HEADER or _HEAD.size + n > len(frame):
            raise WireError("engine message header length out of range")
        header = json.loads(bytes(frame[_HEAD.size : _HEAD.size + n]).decode("utf-8"))
        payload = frame[_HEAD.size + n :]

        def take(at: Any, length: Any) -> memoryview:
            if not (isinstance(at, int) and isinstance(length, int)) or at < 0 or length < 0:
                raise WireError("bad payload reference")
            if at + length > len(payload):
                raise WireError("payload reference past the end of the message")
            return payload[at : at + length]

        def dec(v: Any, depth: int) -> Any:
            if depth > MAX_DEPTH:
                raise WireError("engine message nested too deeply")
            if v is None or isinstance(v, bool | int | float | str):
                return v
            if isinstance(v, list):
                return [dec(x, depth + 1) for x in v]
            if not isinstance(v, dict) or len(v) not in (1, 2):
                raise WireError("untagged object in engine message")
            if "$t" in v and len(v) == 1 and isinstance(v["$t"], list):
                return tuple(dec(x, depth + 1) for x in v["$t"])
            if "$m" in v and len(v) == 1 and isinstance(v["$m"], dict):
                return {k: dec(x, depth + 1) for k, x in v["$m"].items()}
            if "$b" in v and len(v) == 1 and isinstance(v["$b"], list) and len(v["$b"]) == 2:
                return bytes(take(*v["$b"]))
            if "$nd" in v and len(v) == 1:
                return _array(v["$nd"], take)
            if "$dc" in v and len(v) == 2 and isinstance(v.get("f"), dict):
                cls = self.classes.get(v["$dc"]) if isinstance(v["$dc"], str) else None
                if cls is None:
                    raise WireError(f"unknown message type {str(v['$dc'])[:40]!r}")
                names = {f.name for f in dataclasses.fields(cls)}
                given = v["f"]
                if not set(given) <= names:
                    raise WireError(f"unexpected fields for {cls.__name__}")
                return cls(**{k: dec(x, depth + 1) for k, x in given.items()})
            raise WireError("unknown tag in engine message")

        msg = dec(header, 0)
        if expect is not None and not isinstance(msg, expect):
            raise WireError(f"unexpected message {type(msg).__name__}")
        return msg


def _key(k: object) -> str:
    if not isinstance(k, str):
        raise TypeError("mapping keys crossing the engine pipe must be strings")
    return k


def _array(spec: Any, take: Any) -> np.ndarray:
    if not (isinstance(spec, list) and len(spec) == 3):
        raise WireError("bad array header")
    dtype, shape, at = spec
    if dtype not in ARRAY_DTYPES:
        raise WireError(f"array type {str(dtype)[:20]!r} not allowed")
    if not (
        isinstance(shape, list) and len(shape) <= 4 and all(isinstance(d, int) and d >= 0 for d in shape)
    ):
        raise WireError("bad array shape")
    dt = np.dtype(dtype)
    count = 1
    for d in shape:
        count *= d
    data = take(at, count * dt.itemsize)
    # frombuffer never unpickles; copy() so the array owns its memory (the frame dies).
    return np.frombuffer(data, dtype=dt).reshape(shape).copy()
