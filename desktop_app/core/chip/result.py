"""What one chip read gives: a frozen value the command line prints and the desk shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from desktop_app.core.chip.errors import ChipStatus
from desktop_app.core.chip.passive import PassiveAuthentication
from desktop_app.core.chip.portrait import Portrait
from desktop_app.core.types import MRZ_FIELD_KEYS, Field

Access = Literal["BAC", "PACE"]
Comparison = Literal["same", "differs"]
NOT_CHECKED = PassiveAuthentication("not_checked", "the chip was not read")


@dataclass(frozen=True)
class ChipRead:
    status: ChipStatus
    error: str | None = None
    reader: str | None = None
    access: Access | None = None
    data_groups: tuple[str, ...] = ()
    """The files read, in order (COM, DG1, DG2, ..., SOD)."""
    mrz_lines: tuple[str, ...] | None = None
    fields: Mapping[str, Field] = field(default_factory=dict)
    portrait: Portrait | None = None
    passive: PassiveAuthentication = NOT_CHECKED
    offers_active_authentication: bool = False
    offers_chip_authentication: bool = False
    timings_ms: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        object.__setattr__(self, "timings_ms", MappingProxyType(dict(self.timings_ms)))

    @property
    def genuine(self) -> bool:
        """Read, and every data group read is the one the issuing state signed."""
        return self.status == "ok" and self.passive.status == "valid"

    def to_json(self, comparison: Mapping[str, Comparison] | None = None) -> dict[str, Any]:
        return {
            "status": self.status,
            "error": self.error,
            "reader": self.reader,
            "access": self.access,
            "data_groups": list(self.data_groups),
            "mrz": None if self.mrz_lines is None else {"lines": list(self.mrz_lines)},
            "fields": {k: f.to_json() for k, f in self.fields.items()},
            "portrait": None if self.portrait is None else self.portrait.to_json(),
            "passive_authentication": self.passive.to_json(),
            "offers": {
                "active_authentication": self.offers_active_authentication,
                "chip_authentication": self.offers_chip_authentication,
            },
            "comparison": None if comparison is None else dict(comparison),
            "timings_ms": {k: round(float(v), 1) for k, v in self.timings_ms.items()},
        }


def compare(chip: Mapping[str, Field], printed: Mapping[str, Field]) -> dict[str, Comparison]:
    """Field by field, the chip against the printed page (MRZ fields both hold)."""
    out: dict[str, Comparison] = {}
    for key in MRZ_FIELD_KEYS:
        if key in chip and key in printed:
            out[key] = "same" if chip[key].value == printed[key].value else "differs"
    return out
