"""The desk's document policy and the operator's form, without Qt or storage.

* :mod:`.policy`: what may be saved, what must be acknowledged, who may approve, queue tones.
* :mod:`.verdicts`: the verdicts "can confirm", ``verified`` and ``accepted`` for a read
  result and for an operator-edited form (``verified``/``accepted`` by
  :mod:`desktop_app.core.trust`).
* :mod:`.form`: the operator's working copy of one document (edits re-validated live).

Which fields a check digit covers and proves, and which fields are required, is in the
layout table (:mod:`desktop_app.core.mrz.layouts`). The window (``desktop_app.ui``) paints
what these modules decide.
"""
