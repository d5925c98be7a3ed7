"""Issue 15: storage split by purpose behind a small Store front, one way to audit a save."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from desktop_app.storage import Store

STORAGE = Path(__file__).resolve().parents[3] / "desktop_app" / "storage"
PUBLIC_API = {
    "engine", "dialect", "close", "confirm_record", "flag_for_review", "flag_batch_for_review",
    "approve_review", "reject_review", "search_records", "get_record", "list_reviews", "get_review",
    "get_review_image", "export", "purge", "apply_retention", "verify_audit", "current_checkpoint",
    "note_schema", "initialise", "audit_entries", "counts", "rotate_key", "key_status", "note_key_backup",
}  # fmt: skip


def _modules() -> list[Path]:
    return sorted(STORAGE.glob("*.py"))  # the Alembic revisions (migrations/) are schema tables


def test_no_storage_module_over_600_lines_and_no_function_over_80() -> None:
    long: list[str] = []
    for py in _modules():
        src = py.read_text(encoding="utf-8")
        if len(src.splitlines()) > 600:
            long.append(f"{py.name}: {len(src.splitlines())} lines")
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > 80:
                    long.append(f"{py.name}:{node.lineno} {node.name}: {n} lines")
    assert not long, long


def test_the_store_front_is_small_and_keeps_its_public_api() -> None:
    assert len((STORAGE / "service.py").read_text(encoding="utf-8").splitlines()) < 60
    public = {n for n, _ in inspect.getmembers(Store) if not n.startswith("_")}
    assert public >= PUBLIC_API, PUBLIC_API - public


def test_every_audit_entry_of_the_store_goes_through_the_unit_of_work() -> None:
    """No ten-argument ``audit.append`` calls spread over the store: ``UnitOfWork.audit``."""
    callers = []
    for py in _modules():
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "append"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                callers.append(f"{py.name}:{node.lineno}")
    assert len(callers) == 1 and callers[0].startswith("unit.py:"), callers  # UnitOfWork.audit itself
