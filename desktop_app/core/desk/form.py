"""What the form shows for one document, computed without Qt (the window paints it).

The widgets only paint what this module decides, so the rule that matters most lives in
one small, testable place: a field is shown as *verified* (green) only when its status is
"ok", it came from the MRZ, nobody changed it, and the document's check digits pass after
every edit. Anything else is shown as what it is (corrected, unverified, mismatch, low
confidence, invalid, edited by the operator, missing) with the reason.

The document as a whole is *verified* and *accepted* as the core decides
(:mod:`desktop_app.core.trust`), asked of the form as it stands: the re-validated MRZ
reading, the fields as shown and the findings after the edits. So a value the operator typed
makes the document "not verified: edited by the operator" (what is shown is no longer the
machine's read), while each field still shows whether its check digit holds.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Final, Literal

from desktop_app.core.desk import verdicts
from desktop_app.core.desk.policy import (
    FIELD_LABELS,
    REQUIRED,
    Acknowledgement,
    acknowledgements,
    expiry_flag,
    implausible_viz,
    required_keys,
)

# Imported here, not in the methods: the first import takes ~70 ms, which must not
# land on the GUI thread in the middle of showing a document.
from desktop_app.core.mrz import country_name, revalidate, validate_field
from desktop_app.core.mrz.layouts import proved_fields
from desktop_app.core.trust import Verdict
from desktop_app.core.types import (
    FIELD_KEYS,
    MRZ_FIELD_KEYS,
    DocumentResult,
    Field,
    Flag,
    MrzReading,
)

__all__ = [
    "FIELD_LABELS", "REQUIRED", "DocumentForm", "FieldView", "Summary", "check_digit_keys", "required_keys",
    "verdict_texts",
]

log = logging.getLogger(__name__)

DATE_KEYS: Final = ("birth_date", "expiry_date", "issue_date")
COUNTRY_KEYS: Final = ("issuing_country", "nationality")

FORMAT_NAMES: Final[Mapping[str, str]] = {
    "TD1": "ID card (TD1)",
    "TD2": "Travel document (TD2)",
    "TD3": "Passport (TD3)",
    "MRVA": "Visa (MRV-A)",
    "MRVB": "Visa (MRV-B)",
    "FRID": "French ID card (pre-2021)",
}

Display = Literal[
    "verified",
    "agreed",
    "read",
    "unconfirmed",
    "viz",
    "corrected",
    "unverified",
    "mismatch",
    "low_confidence",
    "invalid",
    "edited",
    "missing",
    "empty",
]

DISPLAY_TEXT: Final[Mapping[str, str]] = {
    "verified": "Verified by check digit",
    "agreed": "MRZ and visual zone agree (no check digit covers this field)",
    "read": "Read from the MRZ; no check digit covers this field",
    "unconfirmed": "Read, but the document's checks did not pass",
    "viz": "Read from the visual zone (no check digit)",
    "corrected": "Corrected by rule - please check",
    "unverified": "Not verified - please check",
    "mismatch": "MRZ and visual zone disagree",
    "low_confidence": "Low confidence - please check",
    "invalid": "Invalid",
    "edited": "Changed by the operator",
    "missing": "Required - missing",
    "empty": "Empty",
}
"""Short words for each display state; the field's own reason is added after them."""


def check_digit_keys(fmt: str | None) -> frozenset[str]:
    """Fields a check digit proves in this format: only these can show as *verified*
    (the layout table says which, :func:`desktop_app.core.mrz.layouts.proved_fields`)."""
    return proved_fields(fmt)


@dataclass(frozen=True)
class FieldView:
    key: str
    label: str
    value: str
    ocr_value: str | None
    status: str | None
    """The engine's (or re-validation's) status; None for a field nobody read."""
    reason: str | None
    confidence: float | None
    source: str | None
    box: tuple[int, int, int, int] | None
    edited: bool
    required: bool
    display: Display

    @property
    def verified(self) -> bool:
        return self.display == "verified"

    @property
    def blocking(self) -> bool:
        """Confirm must wait (or be overridden) while this field looks like this."""
        return self.display in ("invalid", "missing")

    @property
    def needs_look(self) -> bool:
        return self.display in ("corrected", "unverified", "mismatch", "low_confidence", "unconfirmed")

    def explanation(self) -> str:
        text = DISPLAY_TEXT[self.display]
        if self.reason and self.display not in ("missing", "empty"):
            text += f": {self.reason}"
        return text


@dataclass(frozen=True)
class Summary:
    format_text: str
    country_text: str
    expiry_text: str
    expiry_level: Literal["ok", "warning", "expired", "unknown"]
    age_text: str
    flags: tuple[str, ...]
    verified: bool = False
    verified_text: str = "Not verified"
    """"Verified", or "Not verified: " and why: can the machine read be trusted field by field."""
    accepted: bool = False
    decision_text: str = "Needs review"
    """"Accepted: no look needed", or "Needs review: " and what asks for a person."""


MAX_REASONS: Final = 3
"""Reasons shown in the summary's verdict lines; the fields and findings hold the rest."""
MAX_DETAIL: Final = 110
"""Characters of a lone doubtful field's own reason shown in the summary (the field shows it
all): the verdict line stays within two lines of the panel at 1366 x 768."""


def _listed(reasons: tuple[str, ...]) -> str:
    shown = "; ".join(reasons[:MAX_REASONS])
    more = len(reasons) - MAX_REASONS
    return shown + (f" (and {more} more)" if more > 0 else "")


def verdict_texts(v: Verdict, reason_of: Mapping[str, str | None] | None = None) -> tuple[str, str]:
    """(verified line, decision line) of the summary, in plain words. ``reason_of`` gives a
    field's own reason: when a single field is in doubt, the line says why."""
    read = "Verified"
    if not v.verified:
        read = "Not verified: " + (_listed(v.doubts) or "unknown reason")
        detail = (reason_of or {}).get(v.in_doubt[0]) if len(v.in_doubt) == 1 else None
        if detail:
            cut = detail if len(detail) <= MAX_DETAIL else detail[:MAX_DETAIL].rsplit(" ", 1)[0] + " …"
            read += f" ({cut})"
    if v.accepted:
        return read, "Accepted: no look needed"
    why = v.asks + (() if v.verified else ("the read is not verified",))
    return read, "Needs review: " + _listed(why)


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _years_between(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class DocumentForm:
    """The operator's working copy of one document: the read result plus edits.

    Pure Python and cheap: every keystroke calls :meth:`set_value`, which re-runs the MRZ
    check digits over the edited values and re-derives every field's display state.
    """

    def __init__(
        self, result: DocumentResult, *, today: date | None = None, expiry_warning_days: int = 90
    ) -> None:
        self.result = result
        self.today = today
        self.expiry_warning_days = expiry_warning_days
        self._edits: dict[str, str] = {}
        self._reading: MrzReading | None = result.mrz
        self._views: dict[str, FieldView] = {}
        self._recompute()

    # -- edits -------------------------------------------------------------------------
    @property
    def edits(self) -> Mapping[str, str]:
        return dict(self._edits)

    @property
    def dirty(self) -> bool:
        return bool(self._edits)

    def set_value(self, key: str, value: str) -> FieldView:
        if key not in FIELD_KEYS:
            raise KeyError(key)
        original = self.result.fields.get(key)
        if value == (original.value if original is not None else ""):
            self._edits.pop(key, None)
        else:
            self._edits[key] = value
        self._recompute()
        return self._views[key]

    def replace_result(self, result: DocumentResult) -> None:
        """A later stage arrived (visual zone after MRZ): keep the operator's edits."""
        self.result = result
        self._reading = result.mrz
        self._recompute()

    # -- derived -----------------------------------------------------------------------
    @property
    def reading(self) -> MrzReading | None:
        """The MRZ reading after the operator's edits were checked."""
        return self._reading

    @property
    def checks_passed(self) -> bool:
        return self.result.status == "ok" and self._reading is not None and bool(self._reading.valid)

    def field(self, key: str) -> FieldView:
        return self._views[key]

    def fields(self) -> list[FieldView]:
        return [self._views[k] for k in FIELD_KEYS]

    def blocking(self) -> list[FieldView]:
        return [v for v in self.fields() if v.blocking]

    def needs_look(self) -> list[FieldView]:
        return [v for v in self.fields() if v.needs_look]

    def final_values(self) -> dict[str, str]:
        """Every value the operator is confirming (read or typed), by field key."""
        out: dict[str, str] = {}
        for v in self.fields():
            if v.value or v.ocr_value is not None:
                out[v.key] = v.value
        return out

    def _revalidate(self) -> None:
        base = self.result.mrz
        if base is None:
            self._reading = None
            return
        mrz_edits = {k: v for k, v in self._edits.items() if k in MRZ_FIELD_KEYS}
        if not mrz_edits:
            self._reading = base
            return
        try:
            self._reading = revalidate(
                base, mrz_edits, today=self.today, expiry_warning_days=self.expiry_warning_days
            )
        except Exception:
            # A re-validation bug must not lose the operator's typing; treat the document
            # as unchecked instead (nothing will show as verified).
            log.exception("revalidate failed")
            broken = Flag("engine_error", "the edited values could not be re-checked")
            self._reading = replace(base, valid=False, flags=(*base.flags, broken))

    def _field_status(self, key: str) -> Field | None:
        """The field as the engine and the re-validation see it now."""
        read = self.result.fields.get(key)
        base, now = self.result.mrz, self._reading
        if now is None or base is None or key not in MRZ_FIELD_KEYS:
            return read
        before, after = base.fields.get(key), now.fields.get(key)
        if after is None:
            return read
        if key in self._edits:
            return after
        # An edit elsewhere can change this field's check (the composite digit, say):
        # take the re-validated verdict when it differs from the first one.
        if before is None or (before.status, before.reason) != (after.status, after.reason):
            return replace(read, status=after.status, reason=after.reason) if read is not None else after
        return read

    def _recompute(self) -> None:
        self._revalidate()
        required = required_keys(self.result.format)
        covered = check_digit_keys(self.result.format)
        views: dict[str, FieldView] = {}
        checks = self.checks_passed
        for key in FIELD_KEYS:
            read = self.result.fields.get(key)
            current = self._field_status(key)
            edited = key in self._edits
            value = self._edits[key] if edited else (read.value if read is not None else "")
            status = current.status if current is not None else None
            reason = current.reason if current is not None else None
            if edited and value:
                # Format sanity (dates, country codes, characters) on top of the check digits.
                try:
                    v_status, v_reason = validate_field(key, value, today=self.today)
                except Exception:
                    log.exception("validate_field failed for %s", key)
                    v_status, v_reason = "unverified", "could not be checked"
                if v_status == "invalid" or status is None:
                    status, reason = v_status, v_reason
            source = "operator" if edited else (read.source if read is not None else None)
            if not edited and source == "viz" and status == "ok":
                # The visual zone alone, with nothing to check it against: a value that does
                # not look like what the field holds is shown as "check", never as sure.
                doubt = implausible_viz(key, value)
                if doubt is not None:
                    status, reason = "unverified", doubt
            is_required = key in required
            display: Display
            if not value.strip():
                display = "missing" if is_required else "empty"
            elif status == "invalid":
                display = "invalid"
            elif edited:
                display = "edited"
            elif status == "ok":
                if source in ("mrz", "mrz+viz"):
                    if not checks:
                        display = "unconfirmed"
                    elif key in covered:
                        display = "verified"
                    else:
                        display = "agreed" if source == "mrz+viz" else "read"
                else:
                    display = "viz"
            elif status in ("corrected", "unverified", "mismatch", "low_confidence"):
                display = status
            else:
                display = "unverified"
            views[key] = FieldView(
                key=key,
                label=FIELD_LABELS.get(key, key),
                value=value,
                ocr_value=read.value if read is not None else None,
                status=status,
                reason=reason,
                confidence=None if edited or read is None else float(read.confidence),
                source=source,
                box=read.box if read is not None else None,
                edited=edited,
                required=is_required,
                display=display,
            )
        self._views = views

    # -- summary -----------------------------------------------------------------------
    def summary(self) -> Summary:
        r = self.result
        today = self.today or date.today()
        fmt = FORMAT_NAMES.get(
            r.format or "", "Unknown document" if r.status != "ok" else (r.format or "Unknown")
        )
        code = self._views["issuing_country"].value.strip().upper()
        name = None
        if code:
            try:
                name = country_name(code)
            except Exception:
                log.exception("country_name failed")
        country = f"{name} ({code})" if name else (f"{code} (unknown code)" if code else "-")
        expiry = _parse_date(self._views["expiry_date"].value)
        level: Literal["ok", "warning", "expired", "unknown"]
        if expiry is None:
            expiry_text, level = "Expiry date unknown", "unknown"
        else:
            days = (expiry - today).days
            if days < 0:
                expiry_text, level = f"EXPIRED {-days} days ago ({expiry.isoformat()})", "expired"
            elif days <= self.expiry_warning_days:
                expiry_text, level = f"Expires in {days} days ({expiry.isoformat()})", "warning"
            else:
                expiry_text, level = f"Valid, expires in {days} days ({expiry.isoformat()})", "ok"
        born = _parse_date(self._views["birth_date"].value)
        age_text = f"{_years_between(born, today)} years" if born is not None and born <= today else "-"
        v = self.verdict()
        read, decision = verdict_texts(v, {k: fv.reason for k, fv in self._views.items()})
        return Summary(fmt, country, expiry_text, level, age_text, self.flag_texts(), v.verified, read, v.accepted, decision)

    def _flags_now(self) -> list[Flag]:
        """The document's findings after the operator's edits: the re-validated reading's
        instead of the first reading's, the rest (image, visual zone) as they were."""
        base = self.result.mrz
        stale: tuple[Flag, ...] = base.flags if base is not None else ()
        flags: list[Flag] = [f for f in self.result.flags if f not in stale]
        if self._reading is not None:
            flags.extend(self._reading.flags)
        expired = expiry_flag(self._views["expiry_date"].value, flags, self.today or date.today())
        if expired is not None:
            flags.append(expired)
        return flags

    def flag_codes(self) -> frozenset[str]:
        """The codes of the document's findings after the operator's edits."""
        return frozenset(f.code for f in self._flags_now())

    def acknowledgements(self) -> tuple[Acknowledgement, ...]:
        """What the operator must acknowledge before confirming (expired, minor, specimen)."""
        return acknowledgements(self._flags_now())

    @property
    def mrz_read(self) -> bool:
        return self.result.mrz is not None

    def flag_texts(self) -> tuple[str, ...]:
        """The document's findings in plain words, after the operator's edits."""
        flags = self._flags_now()
        if self.result.status == "error" and self.result.error:
            flags.insert(0, Flag("error", self.result.error))
        seen: dict[str, None] = {}
        for f in flags:
            seen.setdefault(f.message, None)
        return tuple(seen)

    def verdict(self) -> Verdict:
        """Verified and accepted for the document as it stands now, asked of the core."""
        return verdicts.form_verdict(
            self.result,
            reading=self._reading,
            shown={k: (v.value, v.status, v.reason, v.edited) for k, v in self._views.items()},
            current={k: self._field_status(k) for k, v in self._views.items() if not v.edited},
            flags=self._flags_now(),
        )

    def confirm_refusal(self, *, status: str, has_image: bool, acknowledged: Collection[str]) -> str | None:
        """Why the operator cannot confirm this document now (None: they can), asked of the
        core (:func:`desktop_app.core.desk.verdicts.confirm_refusal`)."""
        return verdicts.confirm_refusal(
            status=status,
            has_image=has_image,
            mrz_read=self.mrz_read,
            fmt=self.result.format,
            values=self.final_values(),
            blocking=[v.label for v in self.blocking()],
            needed=self.acknowledgements(),
            acknowledged=acknowledged,
        )
