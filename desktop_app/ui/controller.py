"""The reading workflow, without widgets: queue -> engine -> form -> store.

The main window is a view over this controller; tests drive the controller directly with
``qtbot.waitSignal``. It owns the queue model and the operator's working copy of the
current document (:class:`~desktop_app.core.desk.form.DocumentForm`), feeds the engine a
few documents ahead of the operator, drops whatever arrives for a request it no longer
waits for, and saves through the store client off the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, Signal

from desktop_app.core.desk.form import DocumentForm
from desktop_app.core.desk.policy import reopen_rereads, save_refusal
from desktop_app.core.types import DocumentResult, Flag
from desktop_app.settings import Settings
from desktop_app.ui.engine_client import EngineClient, EngineState, PageImage, StageUpdate
from desktop_app.ui.models.queue_model import FINISHED_STATUSES, Origin, QueueItem, QueueModel, QueueStatus
from desktop_app.ui.store_client import StoreClient

if TYPE_CHECKING:  # the storage package pulls in SQLAlchemy: not at window start-up
    from desktop_app.storage import Store

log = logging.getLogger(__name__)

STAGE_TEXT: Final = {
    "load": "Finding the machine readable zone…",
    "locate": "Finding the machine readable zone…",
    "mrz": "MRZ read - reading the visual zone…",
    "viz": "Reading the visual zone…",
    "done": "Reading finished",
}
ENGINE_STARTING_TEXT: Final = (
    "The reading engine is starting (a few seconds after launch); this document is read as soon as it is ready…"
)


def _best_page(results: dict[int, DocumentResult]) -> int:
    """The page to show first: the first with an MRZ, else the first."""
    for index in sorted(results):
        if results[index].status == "ok":
            return index
    return min(results) if results else 0


class DocumentController(QObject):
    current_changed = Signal(object)
    """The item now on screen (:class:`QueueItem`) or None."""
    page_changed = Signal(object)
    """:class:`PageImage` of the current item, or None (nothing to show yet)."""
    form_changed = Signal(object)
    """:class:`DocumentForm` of the current item (after each stage and each edit), or None."""
    stage_changed = Signal(str)
    notice = Signal(str, str)
    """(level: "info" | "ok" | "warning" | "error", plain text) for the banner."""
    saving_changed = Signal(bool)
    saved = Signal(str, int)
    """("confirmed", record id) or ("flagged", review id)."""
    save_failed = Signal(str)
    engine_state = Signal(str)

    def __init__(
        self,
        engine: EngineClient,
        store: StoreClient,
        settings: Settings,
        *,
        lookahead: int = 2,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self.store = store
        self.settings = settings
        self.lookahead = max(1, lookahead)
        self.queue = QueueModel(self)
        self._current: QueueItem | None = None
        self._form: DocumentForm | None = None
        self._saving = False
        self._stage = ""
        self._connect(engine)

    def _wiring(self, engine: EngineClient) -> list[tuple[object, object]]:
        return [
            (engine.page_loaded, self._on_page),
            (engine.progress, self._on_progress),
            (engine.finished, self._on_finished),
            (engine.failed, self._on_failed),
            (engine.cancelled, self._on_cancelled),
            (engine.state_changed, self._on_engine_state),
            (engine.notice, self._on_engine_notice),
        ]

    def _connect(self, engine: EngineClient) -> None:
        for sig, slot in self._wiring(engine):
            sig.connect(slot)  # type: ignore[attr-defined]

    def set_engine(self, engine: EngineClient) -> None:
        """Swap in a new engine (settings changed); reads in progress are sent again."""
        old = self.engine
        for sig, slot in self._wiring(old):
            sig.disconnect(slot)  # type: ignore[attr-defined]
        self.engine = engine
        self._connect(engine)
        for it in self.queue.items():
            if it.status == "reading":
                self._submit(it)

    # -- state ---------------------------------------------------------------------------
    @property
    def current(self) -> QueueItem | None:
        return self._current

    @property
    def form(self) -> DocumentForm | None:
        return self._form

    @property
    def saving(self) -> bool:
        return self._saving

    @property
    def stage(self) -> str:
        return self._stage

    def save_refusal(self) -> str | None:
        """Why the document on screen cannot be saved in any way now (None: it can)."""
        item, form = self._current, self._form
        if item is None or form is None:
            return "no document is open"
        return save_refusal(
            status=item.status,
            has_image=bool(item.pages),
            mrz_read=form.mrz_read,
            fmt=form.result.format,
            values=form.final_values(),
        )

    def has_unsaved_changes(self) -> bool:
        """The operator typed something on the current document and did not save it."""
        return self._form is not None and self._form.dirty

    def open_items(self) -> list[QueueItem]:
        return [it for it in self.queue.items() if it.is_open]

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        if self._form is not None:
            self._form.expiry_warning_days = settings.expiry_warning_days
            self._form.replace_result(self._form.result)
            self.form_changed.emit(self._form)

    # -- intake --------------------------------------------------------------------------
    def add_files(self, paths: Iterable[str | Path], origin: Origin = "file") -> list[QueueItem]:
        items = [self.queue.add(Path(p).name, str(p), origin) for p in paths]
        self._pump()
        return items

    def add_image_bytes(self, data: bytes, label: str, origin: Origin = "clipboard") -> QueueItem:
        item = self.queue.add(label, data, origin)
        self._pump()
        return item

    def _submit(self, item: QueueItem) -> None:
        item.pages.clear()
        item.results.clear()
        item.read_done = False
        item.page_index = 0
        name = item.source if isinstance(item.source, str) else item.label
        item.request_id = self.engine.submit(item.source, name)
        self.queue.set_status(item, "reading", "")

    def _pump(self) -> None:
        """Keep the engine a few documents ahead of the operator, and show something."""
        items = self.queue.items()
        if self._current is not None and self._current.status == "waiting":
            self._submit(self._current)  # what the operator looks at comes first
        after = items[items.index(self._current) + 1 :] if self._current in items else items
        ahead = sum(1 for it in items if it.status == "reading") + sum(
            1 for it in after if it.status == "ready"
        )
        for it in items:
            if ahead >= self.lookahead:
                break
            if it.status == "waiting":
                self._submit(it)
                ahead += 1
        if self._current is None:
            nxt = next((it for it in items if it.is_open), None)
            if nxt is not None:
                self._show(nxt)

    # -- showing an item -----------------------------------------------------------------
    def _show(self, item: QueueItem | None) -> None:
        self._current = item
        self._form = None
        if item is not None and item.results:
            item.page_index = item.page_index if item.page_index in item.results else _best_page(item.results)
            self._form = self._new_form(item.results[item.page_index])
        self.current_changed.emit(item)
        self.page_changed.emit(item.pages.get(item.page_index) if item is not None else None)
        self.form_changed.emit(self._form)
        if item is None:
            self._set_stage("")
        elif item.status == "waiting":
            self._set_stage("Waiting for the reading engine…")
        elif item.status == "reading":
            self._set_stage(self._reading_stage(item))
        else:
            self._set_stage(item.message or item.status.capitalize())

    def _reading_stage(self, item: QueueItem) -> str:
        if item.results:
            return STAGE_TEXT["mrz"]
        if self.engine.state in (EngineState.STARTING, EngineState.RESTARTING):
            return ENGINE_STARTING_TEXT
        return STAGE_TEXT["load"]

    def show_item(self, item_id: int) -> bool:
        """Put another queue item on screen (the window asks about unsaved edits first)."""
        item = self.queue.item(item_id)
        if item is None or item is self._current:
            return False
        if reopen_rereads(item.status):
            # Cleared, cancelled or failed: read-only. What was read before never comes
            # back without its picture; the image is read again from the start.
            self.retry(item_id)
        self._show(item)
        self._pump()
        return True

    def show_page(self, page_index: int) -> None:
        item = self._current
        if item is None or page_index == item.page_index:
            return
        item.page_index = page_index
        self._form = self._new_form(item.results[page_index]) if page_index in item.results else None
        self.page_changed.emit(item.pages.get(page_index))
        self.form_changed.emit(self._form)

    def _new_form(self, result: DocumentResult) -> DocumentForm:
        return DocumentForm(result, expiry_warning_days=self.settings.expiry_warning_days)

    def _set_stage(self, text: str) -> None:
        self._stage = text
        self.stage_changed.emit(text)

    # -- engine events -------------------------------------------------------------------
    def _live_item(self, request_id: int) -> QueueItem | None:
        item = self.queue.by_request(request_id)
        if item is None or item.status != "reading":
            return None  # stale: cancelled, retried under a new id, or removed
        return item

    def _on_page(self, request_id: int, page: PageImage) -> None:
        item = self._live_item(request_id)
        if item is None:
            return
        item.pages[page.page_index] = page
        if item is self._current and page.page_index == item.page_index:
            self.page_changed.emit(page)

    def _on_progress(self, request_id: int, update: StageUpdate) -> None:
        item = self._live_item(request_id)
        if item is None:
            return
        result = update.result
        if isinstance(result, DocumentResult):
            item.results[update.page_index] = result
            if item is self._current and update.page_index == item.page_index:
                if self._form is None:
                    self._form = self._new_form(result)
                else:
                    self._form.replace_result(result)  # the operator's edits stay
                self.form_changed.emit(self._form)
        if item is self._current:
            self._set_stage(STAGE_TEXT.get(update.stage, update.stage))

    def _on_finished(self, request_id: int, results: object) -> None:
        item = self._live_item(request_id)
        if item is None:
            return
        final = (
            tuple(r for r in results if isinstance(r, DocumentResult)) if isinstance(results, tuple) else ()
        )
        item.read_done = True
        for i, r in enumerate(final):
            item.results[i] = r
        if final and all(r.status == "error" for r in final):
            self.queue.set_status(item, "failed", final[0].error or "The file could not be read.")
        else:
            best = final[_best_page(dict(enumerate(final)))] if final else None
            note = "no MRZ" if best is not None and best.status == "no_mrz" else ""
            item.flag_codes = frozenset(f.code for f in best.flags) if best is not None else frozenset()
            if best is not None and best.status == "ok":
                form = DocumentForm(best, expiry_warning_days=self.settings.expiry_warning_days)
                n = len(form.needs_look()) + len(form.blocking())
                note = "all checks pass" if n == 0 and form.checks_passed else f"{n} to check"
                item.flag_codes = form.flag_codes()
                acks = [a.code for a in form.acknowledgements()]
                if acks:
                    note = f"{' + '.join(acks)}: acknowledge; {note}"
            self.queue.set_status(item, "ready", note)
        if item is self._current:
            if self._form is None and item.results:
                item.page_index = _best_page(item.results)
                self._form = self._new_form(item.results[item.page_index])
                self.page_changed.emit(item.pages.get(item.page_index))
            elif self._form is not None and item.page_index in item.results:
                self._form.replace_result(item.results[item.page_index])
            self.form_changed.emit(self._form)
            self._set_stage(STAGE_TEXT["done"] if item.status == "ready" else item.message)
            if item.status == "failed":
                self.notice.emit("error", item.message)
        self._pump()

    def _on_failed(self, request_id: int, message: str) -> None:
        item = self._live_item(request_id)
        if item is None:
            return
        self.queue.set_status(item, "failed", message)
        if item is self._current:
            # Keep what the form holds on screen (the MRZ fields may be there already);
            # a failed item is read-only: Retry reads its image again.
            self._set_stage("Reading failed")
            self.notice.emit("error", message)
        self._pump()

    def _on_cancelled(self, request_id: int) -> None:
        item = self.queue.by_request(request_id)
        if item is not None and item.status == "reading":
            self.queue.set_status(item, "cancelled", "cancelled")
        self._pump()

    def _on_engine_notice(self, text: str) -> None:
        self.notice.emit("warning", text)

    def _on_engine_state(self, state: str) -> None:
        self.engine_state.emit(state)
        cur = self._current
        if cur is not None and cur.status == "reading" and not cur.results:
            self._set_stage(self._reading_stage(cur))
        if state == EngineState.READY:
            self._pump()

    # -- operator actions ----------------------------------------------------------------
    def set_value(self, key: str, value: str) -> None:
        if self._form is None:
            if self._current is None or self._current.status not in ("reading", "ready"):
                return
            # Typing into a document nobody could read: start from an empty result.
            self._form = self._new_form(DocumentResult(status="no_mrz", file=self._current.label))
        self._form.set_value(key, value)
        self.form_changed.emit(self._form)

    def cancel_reading(self) -> bool:
        item = self._current
        if item is None or item.status not in ("reading", "waiting"):
            return False
        if item.status == "reading" and item.request_id is not None:
            self.engine.cancel(item.request_id)
        self.queue.set_status(item, "cancelled", "cancelled")
        self._set_stage("Reading cancelled")
        self._pump()
        return True

    def retry(self, item_id: int) -> None:
        item = self.queue.item(item_id)
        if item is None or item.status in ("reading", "confirmed", "needs review"):
            return
        self.queue.set_status(item, "waiting", "")
        self._submit(item)
        if item is self._current:
            self._set_stage(STAGE_TEXT["load"])

    def remove(self, item_id: int) -> None:
        item = self.queue.item(item_id)
        if item is None:
            return
        if item.status == "reading" and item.request_id is not None:
            self.engine.cancel(item.request_id)
        item.status = "cancelled"
        self.queue.remove(item_id)
        if item is self._current:
            self._show(None)
        self._pump()

    def clear(self) -> None:
        """Drop the current document (its read is cancelled if running) and move on to the
        next open one, if any."""
        item = self._current
        if item is not None:
            if item.status in ("reading", "waiting"):
                self.cancel_reading()
            elif item.status == "ready":
                self.queue.set_status(item, "cancelled", "cleared")
            item.release_images()
        self._show(None)
        self._pump()

    def next_document(self) -> QueueItem | None:
        """Show the next open or failed item after the current one (wrapping round); None
        if none. A failed one is not skipped in silence: the banner says why it failed,
        and its image is read again (a failed item is read-only)."""
        items = self.queue.items()
        start = items.index(self._current) + 1 if self._current in items else 0
        for it in items[start:] + items[:start]:
            if it is self._current or not (it.is_open or it.status == "failed"):
                continue
            failed_why = (it.message or "the file could not be read") if it.status == "failed" else None
            if failed_why is not None:
                self.retry(it.item_id)
            self._show(it)
            if failed_why is not None:  # said once it is on screen: the message is about it
                self.notice.emit("error", f"{it.label} failed: {failed_why} Reading it again…")
            self._pump()
            return it
        self.notice.emit("info", "No more documents in the queue.")
        return None

    # -- saving --------------------------------------------------------------------------
    def _begin_save(self) -> tuple[QueueItem, DocumentForm] | None:
        if self._saving or self._current is None or self._form is None:
            return None
        self._saving = True
        self.saving_changed.emit(True)
        return self._current, self._form

    def _end_save(self) -> None:
        self._saving = False
        self.saving_changed.emit(False)

    def confirm(self, acknowledged: Collection[str] = ()) -> bool:
        """Save the record as the operator sees it. Refused while a field blocks, without
        the document's evidence, or while a finding that needs an acknowledgement (expired,
        minor, specimen) is not in ``acknowledged`` (codes; they are recorded in the audit
        trail): the core's "can confirm" (:func:`~desktop_app.core.desk.verdicts.confirm_refusal`)."""
        item, form = self._current, self._form
        if item is None or form is None:
            return False
        if form.confirm_refusal(status=item.status, has_image=bool(item.pages), acknowledged=acknowledged) is not None:
            return False
        needed = tuple(a.code for a in form.acknowledgements())
        begun = self._begin_save()
        if begun is None:
            return False
        item, form = begun
        result, values = form.result, form.final_values()
        op, ws = self.settings.operator_name, self.settings.workstation

        def save(store: Store) -> int:
            return store.confirm_record(result, values, operator=op, workstation=ws, acknowledged=needed)

        self.store.call(save, lambda rid: self._saved(item, "confirmed", rid), self._save_error)
        return True

    def flag_for_review(self, reason: str, *, override: bool = False) -> bool:
        """Send the document to the review queue with the operator's reason (also the
        way to confirm over a blocking field: the override is recorded and reviewed)."""
        reason = reason.strip()
        if not reason or self.save_refusal() is not None:
            return False
        begun = self._begin_save()
        if begun is None:
            return False
        item, form = begun
        result, values = form.result, form.final_values()
        reasons: list[Flag | str] = []
        if override:
            reasons.append(Flag("operator_override", f"Confirmed over failed checks: {reason}"))
            reasons.extend(
                Flag("field_" + v.display, f"{v.label}: {v.explanation()}") for v in form.blocking()
            )
        else:
            reasons.append(Flag("operator", reason))
        reasons.extend(result.flags)
        op, ws = self.settings.operator_name, self.settings.workstation
        keep = self.settings.keep_images_for_review
        source = item.source

        def save(store: Store) -> int:
            image: bytes | None = None
            if keep:
                try:
                    image = source if isinstance(source, bytes) else Path(source).read_bytes()
                except OSError:
                    log.warning("the scan could not be read again for the review; flagged without it")
            return store.flag_for_review(
                result, values, reasons, operator=op, workstation=ws, image_bytes=image
            )

        self.store.call(save, lambda rid: self._saved(item, "flagged", rid), self._save_error)
        return True

    def _saved(self, item: QueueItem, kind: str, record_id: int) -> None:
        self._end_save()
        if kind == "confirmed":
            self.queue.set_status(item, "confirmed", f"record #{record_id}")
            self.notice.emit("ok", f"Saved as record {record_id}.")
        else:
            item.review_id = record_id
            self.queue.set_status(item, "needs review", f"review #{record_id}")
            self.notice.emit("ok", f"Sent to the review queue (item {record_id}).")
        self.saved.emit(kind, record_id)
        if item is self._current:
            item.release_images()
            # Carry on with the next document if one is waiting; otherwise clear.
            nxt = next((it for it in self.queue.items() if it.is_open), None)
            self._show(nxt)
        self._pump()

    def review_closed(self, kind: str, review_id: int) -> None:
        """A reviewer approved or rejected a review: its queue row says so."""
        for it in self.queue.items():
            if it.review_id == review_id and it.status == "needs review":
                status: QueueStatus = "approved" if kind == "approved" else "rejected"
                self.queue.set_status(it, status, f"review #{review_id} {status}")

    def remove_finished(self) -> int:
        """Take confirmed, flagged, decided and cleared items off the queue; how many."""
        gone = [it for it in self.queue.items() if it.status in FINISHED_STATUSES and it is not self._current]
        for it in gone:
            self.queue.remove(it.item_id)
        return len(gone)

    def _save_error(self, message: str) -> None:
        # Nothing is lost: the form object still holds every value; the operator retries.
        self._end_save()
        self.save_failed.emit(message)
        self.notice.emit("error", f"Not saved: {message}")
