"""Transliteration (ICAO 9303 part 3) and the spread of the invented holders."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from desktop_app.core.mrz import compose_mrz
from desktop_app.core.resources import samples_dir
from tests.synth import FORMATS, REFERENCE_DATE, mrz_data, transliterate
from tests.synth.i18n import DATE_STYLES, LANGUAGES, format_date
from tests.synth.identity import make_identity


@pytest.mark.parametrize(
    ("viz", "mrz"),
    [
        ("MÜLLER", "MUELLER"),
        ("Jäger", "JAEGER"),
        ("SØRENSEN", "SOERENSEN"),
        ("GROß", "GROSS"),
        ("NÚÑEZ", "NUNEZ"),
        ("HÉLÈNE", "HELENE"),
        ("ÅKESSON", "AAKESSON"),
        ("ÆRØ", "AEROE"),
        ("ŁUKASZ ŻUREK", "LUKASZ ZUREK"),
        ("CONCEIÇÃO", "CONCEICAO"),
        ("O'BRIEN", "OBRIEN"),
        ("SMITH-JONES", "SMITH JONES"),
        ("Ó SÚILLEABHÁIN", "O SUILLEABHAIN"),
        ("ÞÓRA", "THORA"),
    ],
)
def test_icao_transliteration(viz: str, mrz: str) -> None:
    assert transliterate(viz) == mrz


def test_hyphens_can_be_kept_for_the_french_card() -> None:
    assert transliterate("Jean-Pierre", keep_hyphens=True) == "JEAN-PIERRE"


def test_unknown_scripts_are_refused() -> None:
    with pytest.raises(ValueError):
        transliterate("李")


def test_dates_print_in_the_common_forms() -> None:
    d = dt.date(1974, 8, 12)
    printed = {format_date(d, s, "fr") for s in DATE_STYLES}
    assert {"12 AUG 1974", "12 AOUT/AUG 74", "12.08.1974", "12/08/1974"} <= printed
    assert format_date(d, "d_nat/mon_yyyy", "de") == "12 AUG 1974"
    assert format_date(dt.date(1974, 3, 1), "d_nat/mon_yyyy", "de") == "01 MÄR/MAR 1974"


def test_holders_vary_and_every_identity_composes() -> None:
    expired = minors = sex_x = national = 0
    countries: set[str] = set()
    n = 0
    for fmt in FORMATS:
        for lang in (None, *LANGUAGES):
            for seed in range(25):
                ident = make_identity(
                    np.random.default_rng([seed, FORMATS.index(fmt), len(lang or "")]), fmt, lang
                )
                compose_mrz(mrz_data(ident))
                n += 1
                expired += ident.expiry_date < REFERENCE_DATE
                minors += (REFERENCE_DATE - ident.birth_date).days < 18 * 365
                sex_x += ident.sex == "X"
                national += any(ord(c) > 127 for c in ident.surname + ident.given_names)
                countries.add(ident.issuer.code)
                assert ident.birth_date < ident.issue_date < ident.expiry_date
    assert 0.05 * n < expired < 0.5 * n
    assert 0.05 * n < minors < 0.4 * n
    assert 0.01 * n < sex_x < 0.1 * n
    assert national > 0.2 * n
    assert {"UTO", "D", "FRA", "ESP", "ITA", "PRT", "NLD"} <= countries


@pytest.mark.parametrize("name", ["sample_td3", "sample_td1", "sample_mrva"])
def test_bundled_samples_are_small_and_carry_truth(name: str) -> None:
    image = samples_dir() / f"{name}.jpg"
    assert image.is_file() and image.stat().st_size < 400 * 1024
    truth = json.loads((samples_dir() / f"{name}.json").read_text(encoding="utf-8"))
    assert truth["format"] == {"sample_td3": "TD3", "sample_td1": "TD1", "sample_mrva": "MRVA"}[name]
    assert truth["mrz_lines"] and truth["meta"]["boxes"]["mrz"]


def test_the_generator_needs_no_qt_database_or_ocr_engine() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tests.synth as s; s.generate('TD1', 1, 'hard'); "
        "heavy = ('PySide6', 'sqlalchemy', 'paddle', 'paddleocr'); "
        "bad = [m for m in sys.modules if m.split('.')[0] in heavy]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
