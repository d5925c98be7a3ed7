"""The e-passport chip (ICAO 9303 parts 10 and 11) over an abstract card transport.

No Qt and no storage here. :func:`read_chip` runs BAC, reads EF.COM, DG1, DG2 (and DG14,
DG15 when listed) and EF.SOD under secure messaging, decodes the portrait and runs passive
authentication against a :class:`TrustStore`. :mod:`.pcsc` is the PC/SC transport.
"""

from desktop_app.core.chip.bac import MrzKey
from desktop_app.core.chip.errors import ChipError, ChipStatus
from desktop_app.core.chip.passive import PassiveAuthentication
from desktop_app.core.chip.read import read_chip
from desktop_app.core.chip.result import ChipRead, compare
from desktop_app.core.chip.transport import CardTransport
from desktop_app.core.chip.trust_store import TrustStore, TrustStoreError, load_trust_store

__all__ = [
    "CardTransport",
    "ChipError",
    "ChipRead",
    "ChipStatus",
    "MrzKey",
    "PassiveAuthentication",
    "TrustStore",
    "TrustStoreError",
    "compare",
    "load_trust_store",
    "read_chip",
]
