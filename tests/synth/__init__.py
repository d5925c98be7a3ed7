"""Synthetic identity documents (passports, ID cards, visas) with exact ground truth.

Deterministic by seed; no Qt, no database. Used by the tests, the benchmarks, the bundled
samples and the self-test::

    from tests.synth import generate, generate_set, CONDITIONS, FORMATS
    doc = generate("TD3", seed=7, condition="phone")
    doc.image          # BGR uint8
    doc.truth          # contract field values + "format" + "mrz_lines"
    doc.boxes["mrz_line_1"]

What varies per document, and in which ranges: :mod:`tests.synth.look` (how the MRZ
is printed, what lies under and over it), :mod:`tests.synth.degrade` (the capture, per
condition), :mod:`tests.synth.identity` (holders, names, numbers).

Command line: ``python -m tests.synth OUTDIR --n 20 --condition phone --seed 1``
writes ``NAME.jpg`` (``.png`` for clean) and ``NAME.json`` pairs. Everything shown is
invented: people, numbers and portraits (drawn shapes).
"""

from desktop_app.core.mrz.translit import mrz_spelling as transliterate
from tests.synth.degrade import CONDITIONS
from tests.synth.generator import SyntheticDocument, generate, generate_set, mrz_data, set_seed
from tests.synth.identity import FORMATS, REFERENCE_DATE

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
