"""What can go wrong while reading a chip, each with its own plain message.

The ``status`` of each error is the command line's ``status`` word; ``str(error)`` is the
sentence the operator reads.
"""

from __future__ import annotations

from typing import Literal

ChipStatus = Literal["ok", "no_reader", "no_card", "access_denied", "error"]


class ChipError(Exception):
    """Base of every chip fault; ``status`` is the contract's status word."""

    status: ChipStatus = "error"


class NoReader(ChipError):
    status: ChipStatus = "no_reader"


class NoCard(ChipError):
    status: ChipStatus = "no_card"


class CardRemoved(ChipError):
    """The document left the reader (or the link broke) in the middle of a read."""


class AccessDenied(ChipError):
    """The chip refused the key derived from the MRZ."""

    status: ChipStatus = "access_denied"


class ChipTimeout(ChipError):
    """The chip did not answer within the time limit."""


class BadAnswer(ChipError):
    """The chip answered something that is not ICAO 9303 (bad MAC, bad length, bad TLV)."""
