"""ICAO Doc 9303 part 3 transliteration, for the visual-zone cross-check.

One module holds it for the whole program, :mod:`desktop_app.core.mrz.translit` (the
composer and the generator ask it too); this name stays so the visual zone's imports do.
"""

from desktop_app.core.mrz.translit import transliterate, variants

__all__ = ["transliterate", "variants"]
