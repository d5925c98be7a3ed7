"""The MRZ engine: pure functions from MRZ text to typed readings (no I/O, no OCR, no Qt).

Public API (the pipeline, CLI and GUI call exactly these):

* :func:`read_mrz` - raw OCR lines to a :class:`~desktop_app.core.types.MrzReading`.
* :func:`revalidate` - the operator's edits written back into the lines and re-checked.
* :func:`validate_field` - a single edited value's sanity check.
* :func:`country_name` - ICAO 9303 code to name.
* :func:`compose_mrz` / :class:`MrzData` - exact ICAO 9303 lines from field values.

How repairs are judged is explained in :mod:`desktop_app.core.mrz.repair` and
:mod:`desktop_app.core.mrz.interpret`; look-alikes no check digit can tell apart in
:mod:`desktop_app.core.mrz.same_value`; what makes a reading ``verified`` and ``accepted``
in :mod:`desktop_app.core.trust`.
"""

from desktop_app.core.mrz.compose import MrzData, compose_mrz
from desktop_app.core.mrz.countries import country_name
from desktop_app.core.mrz.edit import revalidate, validate_field
from desktop_app.core.mrz.engine import read_mrz

__all__ = ["MrzData", "compose_mrz", "country_name", "read_mrz", "revalidate", "validate_field"]
