"""Format-bound decoding: the most probable MRZ line the layout allows, from a CTC
recogniser's per-step probabilities.

Greedy CTC decoding takes the best class at every time step and collapses repeats. On an
MRZ that loses what the format already knows:

* the line length is fixed, but greedy decoding merges two fillers whenever the model puts
  no blank between them (a ``<`` dropped from a long run shifts every field after it);
* only digits may stand in a date or a check digit, only letters in a country code, but the
  greedy string may hold ``O`` where the model's second choice, ``0``, is what can be there;
* after the holder's names end, the name field holds nothing but fillers.

:func:`decode_line` is a Viterbi search over the CTC alignment of a string of exactly the
layout's length in which position ``i`` may only hold ``allowed[i]``: it returns the most
probable such string, where each character's time steps lie, and per position the
recogniser's own probabilities of the characters that may stand there (normalised over the
characters the position's *kind* allows, so forcing a filler where the recogniser saw a
letter shows up as low confidence instead of being hidden).

:func:`decode_lines` applies it to every line of every layout the lines could be, then the
name grammar (:func:`name_tail`), and returns candidate readings for :func:`read_mrz`; the
check digits, repair and policy stay where they are.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from desktop_app.core.mrz.countries import country_name
from desktop_app.core.mrz.layouts import LAYOUTS, Layout, kind_map
from desktop_app.core.mrz.lookalikes import LEGAL, SAME_VALUE
from desktop_app.core.ocr.base import StepProbabilities
from desktop_app.core.types import DocumentFormat

_NEG: Final = -1e30
_EPS: Final = 1e-9
_ALT_MIN: Final = 0.01
"""Alternatives below this probability are not reported."""
GLYPH_WEIGHT: Final = 1.0
"""Exponent of the glyph classifier's filler probability when it is multiplied into the
line recogniser's (a product of experts). Measured with the cells on the local grid: 0.5
left ``K`` at 75% over a filler the classifier put at 95% (generated phone, scanner 90%
exact); 1.0 and 1.5 gave scanner 95% and the same development-set figure, so the plain
product is used."""
_FLOOR: Final = 0.002
"""Probability given to a character either opinion did not report (so no single opinion
can veto a character outright)."""
DIGIT_PRIOR: Final = 3.0
"""How much likelier a digit is than a letter or filler in a document number, a priori.
Document numbers are mostly digits and many states leave ``O``, ``Q``, ``I`` out of them;
the factor decides only near-ties of the recogniser (``0`` at 40% against ``O`` at 56%),
and the number's check digit then confirms or refutes the choice."""
_CODE_MIN_RATIO: Final = 0.2
"""A known state's code replaces an unknown one read only if the recogniser gave it at least
this fraction of the probability of what it read."""
NAME_END_RUN: Final = 3
"""Fillers in a row that end the names: ICAO 9303 separates the primary and secondary
identifiers by ``<<`` and name components by ``<``, so three in a row only occur after the
last name component."""


@dataclass(frozen=True, slots=True)
class DecodedLine:
    """One line decoded under a layout's constraints."""

    text: str
    confidences: tuple[float, ...]
    alternatives: tuple[Mapping[str, float], ...]
    """Per position, the other characters the position's kind allows and the recogniser
    gave more than 1%, with their probability."""
    centers: tuple[float, ...]
    """Character centres as fractions of the line width (like ``RecognizedLine``)."""
    log_prob: float
    """Log-probability of the best alignment (comparable between layouts of one line)."""


@dataclass(frozen=True, slots=True)
class DecodedMrz:
    """All lines of one candidate layout."""

    format: DocumentFormat
    lines: tuple[DecodedLine, ...]

    @property
    def texts(self) -> list[str]:
        return [ln.text for ln in self.lines]


def decode_line(steps: StepProbabilities, allowed: Sequence[str], norm: Sequence[str] | None = None) -> DecodedLine | None:
    """The most probable string with ``len(allowed)`` characters, ``allowed[i]`` at position
    ``i``, under CTC; None when the line has too few time steps to hold it.

    ``norm[i]`` (default ``allowed[i]``) is the set a position's confidence is normalised
    over.
    """
    alphabet = steps.alphabet
    probs = np.asarray(steps.probs, dtype=np.float64)
    t_steps, n_length = probs.shape[0], len(allowed)
    if n_length == 0 or t_steps < n_length or probs.shape[1] != len(alphabet) + 1:
        return None
    index = {c: k for k, c in enumerate(alphabet)}
    n_chars = len(alphabet)
    mask = np.zeros((n_length, n_chars), dtype=bool)
    for i, permitted in enumerate(allowed):
        for c in permitted:
            k = index.get(c)
            if k is not None:
                mask[i, k] = True
    if not mask.any(axis=1).all():
        return None
    logp = np.log(probs + _EPS)
    blank = logp[:, 0]
    emit = logp[:, 1:]

    # Scores: chars[i, k] = best path ending at time t emitting alphabet[k] as character i;
    # blanks[j] = best path ending in a blank after j characters. The loop over time is
    # the decoder's cost (about 20 numpy calls per step), so every array it writes is
    # allocated once and written in place.
    emit_masked = np.where(mask[None, :, :], emit[:, None, :], _NEG)  # (T, n, k)
    chars = np.full((n_length, n_chars), _NEG)
    chars[0] = emit_masked[0, 0]
    blanks = np.full(n_length + 1, _NEG)
    blanks[0] = blank[0]
    # Backpointers: came_from_char[t, i, k] (from character i-1), else came_from_blank
    # (from blanks[i]), else character i stayed; blank_from_char[t, j] (blanks[j] entered
    # from character j-1).
    came_from_char = np.zeros((t_steps, n_length, n_chars), dtype=bool)
    came_from_blank = np.zeros((t_steps, n_length, n_chars), dtype=bool)
    blank_from_char = np.zeros((t_steps, n_length + 1), dtype=bool)
    top1_idx = np.zeros((t_steps, n_length), dtype=np.int16)
    top2_idx = np.zeros((t_steps, n_length), dtype=np.int16)
    rows = np.arange(n_length)
    from_char = np.full((n_length, n_chars), _NEG)
    stay_or_blank = np.empty((n_length, n_chars))
    masked = np.empty((n_length, n_chars))
    from_c = np.full(n_length + 1, _NEG)
    for t in range(1, t_steps):
        i1 = chars.argmax(axis=1)
        v1 = chars[rows, i1]
        np.copyto(masked, chars)
        masked[rows, i1] = _NEG
        i2 = masked.argmax(axis=1)
        top1_idx[t], top2_idx[t] = i1, i2
        # From character i-1 to character i: any other class (a repeat needs a blank between).
        from_char[1:] = v1[:-1, None]
        from_char[rows[1:], i1[:-1]] = masked[rows[:-1], i2[:-1]]
        from_blank = blanks[:-1, None]
        np.maximum(chars, from_blank, out=stay_or_blank)
        np.greater(from_char, stay_or_blank, out=came_from_char[t])
        np.greater(from_blank, chars, out=came_from_blank[t])
        np.maximum(stay_or_blank, from_char, out=chars)
        chars += emit_masked[t]
        from_c[1:] = v1
        np.greater(from_c, blanks, out=blank_from_char[t])
        np.maximum(blanks, from_c, out=blanks)
        blanks += blank[t]
    chars = np.maximum(chars, _NEG)  # masked positions stay at the floor
    last_char = int(chars[n_length - 1].argmax())
    end_char, end_blank = chars[n_length - 1, last_char], blanks[n_length]
    final = max(end_char, end_blank)
    if final <= _NEG / 2:
        return None

    # Backtrack: which position (or a blank) every time step belongs to.
    owner = np.full(t_steps, -1, dtype=np.int32)
    letter = [-1] * n_length
    state_is_char = end_char >= end_blank
    i, k = (n_length - 1, last_char) if state_is_char else (n_length, -1)
    for t in range(t_steps - 1, -1, -1):
        if state_is_char:
            owner[t] = i
            letter[i] = k
            if t == 0:
                break
            if came_from_char[t, i, k]:
                prev = int(top1_idx[t, i - 1])
                k = prev if prev != k else int(top2_idx[t, i - 1])
                i -= 1
            elif came_from_blank[t, i, k]:
                state_is_char = False  # the blank before character i: blanks[i]
        else:
            if t == 0:
                break
            if blank_from_char[t, i]:
                state_is_char, i, k = True, i - 1, int(top1_idx[t, i - 1])
    if any(c < 0 for c in letter):
        return None

    text_chars: list[str] = []
    confs: list[float] = []
    alts: list[Mapping[str, float]] = []
    centers: list[float] = []
    for pos in range(n_length):
        where = np.flatnonzero(owner == pos)
        mass = probs[where, 1:].mean(axis=0)
        ch = alphabet[letter[pos]]
        pool = norm[pos] if norm is not None else allowed[pos]
        idx = [index[c] for c in pool if c in index]
        total = float(mass[idx].sum()) if idx else 0.0
        p_ch = float(mass[letter[pos]]) / total if total > 0 else 0.0
        text_chars.append(ch)
        confs.append(min(1.0, p_ch))
        alts.append({alphabet[j]: round(float(mass[j]) / total, 4) for j in idx
                     if j != letter[pos] and total > 0 and mass[j] / total > _ALT_MIN})
        centers.append((float(where[0]) + float(where[-1]) + 1.0) / 2.0 / t_steps)
    return DecodedLine("".join(text_chars), tuple(confs), tuple(alts), tuple(centers), float(final))


def name_tail(text: str, start: int, end: int) -> int | None:
    """Where the holder's names end in ``text[start:end]`` (a name field): the index of the
    first filler of the first run of :data:`NAME_END_RUN` fillers after some name, or of
    a second ``<<`` after the given names began. None when the names fill the field."""
    field = text[start:end]
    seen_name = False
    separators = 0
    i = 0
    while i < len(field):
        if field[i] != "<":
            seen_name = True
            i += 1
            continue
        j = i
        while j < len(field) and field[j] == "<":
            j += 1
        run = j - i
        if seen_name and j < len(field):
            if run >= NAME_END_RUN or (run == 2 and separators >= 1):
                return start + i
            separators += run == 2
        elif seen_name:
            return start + i
        i = j
    return None


def _name_slots(layout: Layout) -> list[tuple[int, int, int]]:
    return [(f.slot.line, f.slot.start, f.slot.end) for f in layout.fields if f.kind == "name"]


def _plausible_layouts(texts: Sequence[str]) -> list[Layout]:
    if len(texts) == 3:
        return [LAYOUTS["TD1"]]
    if len(texts) != 2:
        return []
    # Greedy decoding loses fillers, never gains many: the longer line tells the family.
    longest = max(len(t) for t in texts)
    out: list[Layout] = []
    if longest >= 39:
        out += [LAYOUTS["TD3"], LAYOUTS["MRVA"]]
    if longest <= 41:
        out += [LAYOUTS["TD2"], LAYOUTS["MRVB"]]
        if texts[0][:5].replace("0", "O") in ("IDFRA", "1DFRA") or texts[0][:3] == "IDF":
            out.append(LAYOUTS["FRID"])
    return out


Opinion = Callable[[int, tuple[float, ...]], Sequence[Mapping[str, float]] | None]
"""A second reader of single characters: given a line's index and where its characters
are centred (fractions of the crop width), each character's class probabilities, or None."""


def fuse(line: DecodedLine, glyphs: Sequence[Mapping[str, float]], allowed: Sequence[str],
         norm: Sequence[str]) -> DecodedLine:
    """Put the glyph classifier's answer to one question into the recogniser's reading: is
    this cell a filler? The classifier's probability of ``<`` against everything else is
    multiplied (weighted by :data:`GLYPH_WEIGHT`) into the recogniser's probabilities, and
    the character chosen again among ``allowed[i]``; confidences and alternatives are
    normalised over ``norm[i]`` like :func:`decode_line`'s.

    Only that question: a chevron has no stem and no bowl, so filler-or-not survives any
    printer's OCR-B, while the classifier's view of ``0`` against ``O`` is learnt from one
    font's exact shapes and real documents print both a little differently (measured on the
    development set: deciding those too cost two documents and won none).
    """
    if len(glyphs) != len(line.text):
        return line
    text: list[str] = []
    confs: list[float] = []
    alts: list[Mapping[str, float]] = []
    for i, ch in enumerate(line.text):
        rec = {**line.alternatives[i], ch: line.confidences[i]}
        g_fill = min(max(glyphs[i].get("<", 0.0), _FLOOR), 1.0 - _FLOOR)
        scores = {c: max(rec.get(c, 0.0), _FLOOR) * (g_fill if c == "<" else 1.0 - g_fill) ** GLYPH_WEIGHT
                  for c in norm[i]}
        total = sum(scores.values())
        pick = max(allowed[i], key=lambda c: scores.get(c, 0.0))
        text.append(pick)
        conf = scores.get(pick, 0.0) / total if total > 0 else 0.0
        alt = {c: round(v / total, 4) for c, v in scores.items() if c != pick and total > 0 and v / total > _ALT_MIN}
        # The classifier does not choose between letters and digits, but where it sees
        # the pick's same-check-value twin (``G`` for ``6``) it is doubt no check digit can
        # lift: the twin is reported as a close rival, so the character is not verified.
        for twin in SAME_VALUE.get(pick, frozenset()) & set(norm[i]):
            if glyphs[i].get(twin, 0.0) > glyphs[i].get(pick, 0.0):
                alt[twin] = max(alt.get(twin, 0.0), round(conf / 4, 4))
        confs.append(conf)
        alts.append(alt)
    return DecodedLine("".join(text), tuple(confs), tuple(alts), line.centers, line.log_prob)


_Cache = dict[tuple[int, tuple[str, ...], tuple[str, ...]], "DecodedLine | None"]


def combine(first: DecodedLine, second: DecodedLine, allowed: Sequence[str], norm: Sequence[str]) -> DecodedLine:
    """Two recognisers' format-bound readings of one line, position by position: their
    probabilities multiplied (a product of experts; both are normalised over what the
    position's kind allows) and the character chosen again among ``allowed[i]``. The
    first reading's character centres are kept (they refer to the locator's crop).

    The product chooses; it does not vouch. A character's confidence is the lower of the
    two recognisers' own probabilities for it, so a character only one of them is sure of
    stays in doubt. Measured: PP-OCRv6 reads a ``G`` among digits as ``6`` at 95% where
    PP-OCRv4 had ``G`` first; the product's 0.92 made a wrong number verified.
    """
    text: list[str] = []
    confs: list[float] = []
    alts: list[Mapping[str, float]] = []
    for i in range(len(first.text)):
        p1 = {**first.alternatives[i], first.text[i]: first.confidences[i]}
        p2 = {**second.alternatives[i], second.text[i]: second.confidences[i]}
        scores = {c: max(p1.get(c, 0.0), _FLOOR) * max(p2.get(c, 0.0), _FLOOR) for c in norm[i]}
        total = sum(scores.values())
        pick = max(allowed[i], key=lambda c: scores.get(c, 0.0))
        text.append(pick)
        confs.append(min(p1.get(pick, 0.0), p2.get(pick, 0.0)))
        alts.append({c: round(v / total, 4) for c, v in scores.items() if c != pick and total > 0 and v / total > _ALT_MIN})
    return DecodedLine("".join(text), tuple(confs), tuple(alts), first.centers, first.log_prob + second.log_prob)


def _decode(st: StepProbabilities, allowed: Sequence[str], norm: Sequence[str], line: int,
            opinion: Opinion | None, cache: _Cache, second: StepProbabilities | None = None) -> DecodedLine | None:
    key = (line, tuple(allowed), tuple(norm))
    if key in cache:  # TD3 and MRV-A (TD2 and MRV-B) share their first line
        return cache[key]
    dec = decode_line(st, allowed, norm)
    other = decode_line(second, allowed, norm) if second is not None and dec is not None else None
    if dec is not None and other is not None:
        dec = combine(dec, other, allowed, norm)
    if dec is not None and opinion is not None:
        glyphs = opinion(line, dec.centers)
        if glyphs is not None:
            dec = fuse(dec, glyphs, allowed, norm)
    cache[key] = dec
    return dec


def _decode_layout(layout: Layout, steps: Sequence[StepProbabilities], opinion: Opinion | None,
                   cache: _Cache, second: Sequence[StepProbabilities | None] | None = None) -> DecodedMrz | None:
    kinds = kind_map(layout)
    legal = [["".join(sorted(LEGAL[k])) for k in row] for row in kinds]
    lines: list[DecodedLine] = []
    for li, st in enumerate(steps):
        dec = _decode(st, legal[li], legal[li], li, opinion, cache, _at(second, li))
        if dec is None:
            return None
        lines.append(dec)
    # Name grammar: fillers only after the names end. Decode those lines again with the
    # tail forced to fillers, so the alignment of the rest of the line can move too; the
    # confidence stays normalised over what a name position allows, so a letter the
    # recogniser saw there shows as doubt.
    for line, start, end in _name_slots(layout):
        cut = name_tail(lines[line].text, start, end)
        if cut is None or all(c == "<" for c in lines[line].text[cut:end]):
            continue
        allowed = list(legal[line])
        for i in range(cut, end):
            allowed[i] = "<"
        dec = _decode(steps[line], allowed, legal[line], line, opinion, cache, _at(second, line))
        if dec is not None:
            lines[line] = dec
    for f in layout.fields:
        if f.kind == "country":
            lines[f.slot.line] = _known_code(lines[f.slot.line], f.slot.start, f.slot.end)
        elif f.key == "document_number":
            lines[f.slot.line] = _prefer_digits(lines[f.slot.line], f.slot.start, f.slot.end)
    return DecodedMrz(layout.format, tuple(lines))


def _prefer_digits(line: DecodedLine, start: int, end: int) -> DecodedLine:
    """Apply :data:`DIGIT_PRIOR` to the positions of a document number.

    A character chosen by the prior keeps the recogniser's own probability as its
    confidence: a prior is not evidence, so the choice shows as the doubt it is (two such
    choices can cancel in a 7-3-1 sum, so the check digit alone must not vouch for them).
    """
    text, confs, alts = list(line.text), list(line.confidences), list(line.alternatives)
    changed = False
    for i in range(start, end):
        probs = {**line.alternatives[i], line.text[i]: line.confidences[i]}
        pick = max(probs, key=lambda c: probs[c] * (DIGIT_PRIOR if c.isdigit() else 1.0))
        if pick == text[i]:
            continue
        text[i], confs[i] = pick, probs[pick]
        alts[i] = {c: p for c, p in probs.items() if c != pick}
        changed = True
    if not changed:
        return line
    return DecodedLine("".join(text), tuple(confs), tuple(alts), line.centers, line.log_prob)


def _known_code(line: DecodedLine, start: int, end: int) -> DecodedLine:
    """A country code the recogniser read as no state's, replaced by the most probable code
    of a state among its own alternatives (``NWE`` with ``Z`` at 45% is ``ZWE``).

    The replaced characters keep the recogniser's probability as their confidence, so a
    close call still shows as doubt; a code with no probable known neighbour is left as read.
    """
    code = line.text[start:end]
    if country_name(code) is not None:
        return line
    options = [
        [(code[i], line.confidences[start + i]), *line.alternatives[start + i].items()] for i in range(end - start)
    ]
    best: tuple[float, str] | None = None
    for combo in itertools.product(*options):
        cand = "".join(c for c, _ in combo)
        if country_name(cand) is None:
            continue
        p = float(np.prod([q for _, q in combo]))
        if best is None or p > best[0]:
            best = (p, cand)
    read_p = float(np.prod(line.confidences[start:end]))
    if best is None or best[0] < _CODE_MIN_RATIO * read_p:
        return line
    text = line.text[:start] + best[1] + line.text[end:]
    confs = list(line.confidences)
    alts = list(line.alternatives)
    for i, (old, new) in enumerate(zip(code, best[1], strict=True)):
        if old != new:
            pos = start + i
            p_new = line.alternatives[pos][new]
            confs[pos] = p_new
            alts[pos] = {**{c: p for c, p in line.alternatives[pos].items() if c != new}, old: line.confidences[pos]}
    return DecodedLine(text, tuple(confs), tuple(alts), line.centers, line.log_prob)


def _at(items: Sequence[StepProbabilities | None] | None, i: int) -> StepProbabilities | None:
    return items[i] if items is not None and i < len(items) else None


def decode_lines(steps: Sequence[StepProbabilities], greedy: Sequence[str], opinion: Opinion | None = None,
                 second: Sequence[StepProbabilities | None] | None = None) -> list[DecodedMrz]:
    """Every plausible layout's format-bound reading of these lines (best first by the
    alignment's probability). ``greedy`` is the unconstrained text of each line, used only
    to choose which layouts are plausible; ``second``, when given, is another line
    recogniser's output for the same lines, decoded alike and multiplied in
    (:func:`combine`); ``opinion`` is a reader of single glyphs fused in last (:func:`fuse`)."""
    cache: _Cache = {}
    out = [d for lay in _plausible_layouts(greedy)
           if (d := _decode_layout(lay, steps, opinion, cache, second)) is not None]
    out.sort(key=lambda d: -sum(ln.log_prob for ln in d.lines))
    return out


def as_arrays(decoded: DecodedMrz) -> tuple[list[str], list[tuple[float, ...]], list[tuple[Mapping[str, float], ...]]]:
    """Texts, confidences and alternatives, as :func:`read_mrz` takes them."""
    return ([ln.text for ln in decoded.lines], [ln.confidences for ln in decoded.lines],
            [ln.alternatives for ln in decoded.lines])

