"""Issue 12, wrong values shown as sure: a visual-zone value that does not look like what
its field holds is shown as "check", and an invalid code never turns green."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pytestqt.qtbot import QtBot
from test_form_state import TODAY, specimen

from desktop_app.core.desk.form import DocumentForm
from desktop_app.core.types import Field
from desktop_app.ui.application import Services


def test_a_sentence_as_place_of_birth_and_run_together_authority_show_as_check(
    qtbot: QtBot, services: Services, make_doc: Callable[[str], str]
) -> None:
    w, c = services.window, services.controller
    w.add_paths([make_doc("sentence.png")])
    name = Path("sentence.png").name
    qtbot.waitUntil(
        lambda: any(it.label == name and it.status == "ready" for it in c.queue.items()), timeout=15000
    )
    place, authority = w.fields.edit("place_of_birth"), w.fields.edit("authority")
    assert place.text().startswith("6. TEXTE ET MOTIF")
    assert place.property("fieldState") == "unverified" and "another line" in place.toolTip()
    assert authority.text() == "NORTHHARBOUR"
    assert authority.property("fieldState") == "unverified" and "run together" in authority.toolTip()
    assert "Place of birth" in w.blockers.text() and "Authority" in w.blockers.text()  # "Please check"
    form = c.form
    assert form is not None and {"place_of_birth", "authority"} <= {v.key for v in form.needs_look()}


def test_plausible_visual_zone_values_stay_as_read() -> None:
    r = specimen()
    fields = dict(r.fields)
    fields["place_of_birth"] = Field("SAINT-DENIS DE LA REUNION", 0.96, "viz", "ok")
    fields["authority"] = Field("PREFECTURE DE POLICE", 0.96, "viz", "ok")
    form = DocumentForm(replace(r, fields=fields), today=TODAY)
    assert form.field("place_of_birth").display == "viz"
    assert form.field("authority").display == "viz"


def test_an_invalid_issuing_code_the_page_prints_too_stays_invalid() -> None:
    from desktop_app.core.viz import VizField, cross_check

    r = specimen()
    bad = Field("XYZ", 0.95, "mrz", "invalid", "not an ICAO 9303 country code")
    merged = cross_check({**r.fields, "issuing_country": bad}, {"issuing_country": VizField("XYZ", "XYZ", 0.9, None)})
    form = DocumentForm(replace(r, fields=merged), today=TODAY)
    assert form.field("issuing_country").display == "invalid"
