"""Issue 15: every AES-GCM associated-data string is built by one function with named parts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop_app.storage.contexts import Column, aad

STORAGE = Path(__file__).resolve().parents[3] / "desktop_app" / "storage"


def test_the_strings_already_in_databases_are_unchanged() -> None:
    """Blobs on disk were bound to these: a different string would make them unreadable."""
    assert aad("record", "u1", Column.FINAL, field="surname") == "record:u1:surname:final"
    assert aad("record", "u1", Column.OCR, field="surname") == "record:u1:surname:ocr"
    assert aad("record", "u1", Column.SOURCE_FILE) == "record:u1:source_file"
    assert aad("record", "7", Column.CHIP) == "record:7:chip"
    assert aad("review", "u2", Column.PROPOSED, field="sex") == "review:u2:sex:proposed"
    assert aad("review", "u2", Column.OCR, field="sex") == "review:u2:sex:ocr"
    assert aad("review", "u2", Column.REASON, field="sex") == "review:u2:sex:reason"
    assert aad("review", "u2", Column.REASONS) == "review:u2:reasons"
    assert aad("review", "u2", Column.SOURCE_FILE) == "review:u2:source_file"
    assert aad("review", "u2", Column.COMMENT) == "review:u2:comment"
    assert aad("review", "u2", Column.IMAGE) == "review-image:u2"
    assert (
        aad("record", "u1", Column.OCR, field="sex", stage="confirm")
        == "correction:record:u1:confirm:sex:ocr"
    )
    assert (
        aad("review", "u2", Column.FINAL, field="sex", stage="review")
        == "correction:review:u2:review:sex:final"
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: aad("record", "u", "final", field="surname"),  # type: ignore[arg-type]  # a bare string
        lambda: aad("recrod", "u", Column.FINAL, field="surname"),  # type: ignore[arg-type]
        lambda: aad("record", "u", Column.PROPOSED, field="surname"),  # records have no proposed values
        lambda: aad("record", "u", Column.COMMENT),
        lambda: aad("review", "u", Column.CHIP),
        lambda: aad("review", "u", Column.REASONS, field="sex"),
        lambda: aad("record", "u", Column.FINAL, field="sex", stage="confrim"),
        lambda: aad("record", "u", Column.PROPOSED, field="sex", stage="confirm"),
        lambda: aad("record", "u", Column.FINAL, stage="confirm"),
        lambda: aad("record", "u:x", Column.FINAL, field="sex"),  # a part may not smuggle a separator
        lambda: aad("record", "u", Column.FINAL, field="sex:final"),
        lambda: aad("record", "", Column.SOURCE_FILE),
    ],
)
def test_a_mistyped_or_impossible_part_is_refused(call: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        call()  # type: ignore[operator]


CONTEXT_LITERAL = re.compile(
    r"""["'](record|review|correction|review-image)(:|\{)|f["'][^"']*\}:(final|ocr|proposed)"""
)


def test_no_storage_module_writes_a_context_string_itself() -> None:
    found = []
    for py in sorted(STORAGE.rglob("*.py")):
        if py.name == "contexts.py":
            continue
        for n, line in enumerate(py.read_text(encoding="utf-8").splitlines(), 1):
            if CONTEXT_LITERAL.search(line.split("#", 1)[0]):
                found.append(f"{py.relative_to(STORAGE)}:{n}: {line.strip()}")
    assert not found, "build associated data with contexts.aad():\n" + "\n".join(found)
