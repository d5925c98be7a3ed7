"""Synthetic identity documents (passports, ID cards, visas) with exact ground truth.

Deterministic by seed; no Qt, no database. Used by the tests, the benchmarks, the bundled
samples and the self-test::

    from desktop_app.synth import generate, generate_set, CONDITIONS, FORMATS
    doc = generate("TD3", seed=7, condition="phone")
    doc.image          # BGR uint8
    doc.truth          # contract field values + "format" + "mrz_lines"
    doc.boxes["mrz_line_1"]

What varies per document, and in which ranges: :mod:`desktop_app.synth.look` (how the MRZ
is printed, what lies under and over it), :mod:`desktop_app.synth.degrade` (the capture, per
condition), :mod:`desktop_app.synth.identity` (holders, names, numbers).

Command line: ``python -m desktop_app.synth OUTDIR --n 20 --condition phone --seed 1``
writes ``NAME.jpg`` (``.png`` for clean) and ``NAME.json`` pairs. Everything shown is
invented: people, numbers and portraits (drawn shapes).
"""

from desktop_app.core.mrz.translit import mrz_spelling as transliterate
from desktop_app.synth.degrade import CONDITIONS
from desktop_app.synth.generator import SyntheticDocument, generate, generate_set, mrz_data, set_seed
from desktop_app.synth.identity import FORMATS, REFERENCE_DATE

__all__ = [
    "CONDITIONS",
    "FORMATS",
    "REFERENCE_DATE",
    "SyntheticDocument",
    "generate",
    "generate_set",
    "mrz_data",
    "set_seed",
    "transliterate",
]
