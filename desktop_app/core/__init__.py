"""The Passport desk reading engine, with no Qt and no database.

One entry point for integrators, the command line and the GUI alike::

    from desktop_app.core import read_documents, ReaderSettings
    results = read_documents(["passport.jpg", scan_bytes, frame_array],
                             ReaderSettings(read_visual_zone=True, formats=frozenset({"TD3"})))
    for r in results:
        print(r.status, r.fields["document_number"].value, r.verified, r.accepted)
        payload = r.to_json()          # the command-line contract's object

For many documents keep one :class:`DocumentReader` (it owns the OCR engine, which takes a
couple of seconds to load) and call :meth:`DocumentReader.read` per input; pass
``on_progress`` to get the MRZ result before the visual zone is read, and a
:class:`CancelToken` to stop between stages.
"""

from typing import TYPE_CHECKING, Any

from desktop_app.core.types import FIELD_KEYS, DocumentResult, Field, Flag, MrzReading, TextLine

if TYPE_CHECKING:
    from desktop_app.core.pipeline import (
        Cancelled,
        CancelToken,
        DocumentReader,
        Progress,
        ReaderSettings,
        read_documents,
    )

_PIPELINE_NAMES = frozenset({"CancelToken", "Cancelled", "DocumentReader", "Progress", "ReaderSettings", "read_documents"})


def __getattr__(name: str) -> Any:
    # The pipeline pulls in OpenCV; importing a light part of the core (types, the MRZ
    # engine) should not pay for it.
    if name in _PIPELINE_NAMES:
        from desktop_app.core import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)


__all__ = [
    "FIELD_KEYS",
    "CancelToken",
    "Cancelled",
    "DocumentReader",
    "DocumentResult",
    "Field",
    "Flag",
    "MrzReading",
    "Progress",
    "ReaderSettings",
    "TextLine",
    "read_documents",
]
