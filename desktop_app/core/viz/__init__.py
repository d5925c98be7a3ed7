"""Visual-zone (VIZ) field extraction and the MRZ <-> VIZ cross-check.

Pure functions over OCR text lines: no I/O, no OCR calls, no Qt, no database.

* ``extract_viz_fields(lines, page_size=..., mrz_box=...)`` finds printed labels in many
  languages and reads the value each announces (right of it or below it).
* ``parse_printed_date(text, kind=..., today=...)`` reads every printed date form.
* ``transliterate(name)`` gives the ICAO 9303 MRZ spellings of a printed name.
* ``cross_check(mrz_fields, viz)`` merges the MRZ fields with what the VIZ prints.
"""

from desktop_app.core.viz.crosscheck import cross_check
from desktop_app.core.viz.dates import DateKind, parse_printed_date
from desktop_app.core.viz.extract import VizField, extract_viz_fields
from desktop_app.core.viz.translit import transliterate

__all__ = [
    "DateKind",
    "VizField",
    "cross_check",
    "extract_viz_fields",
    "parse_printed_date",
    "transliterate",
]
