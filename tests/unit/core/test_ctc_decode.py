"""Format-bound CTC decoding on hand-made probability matrices (no OCR engine).

Each matrix is a list of time steps; a step gives some characters a probability and the
CTC blank the rest, the way a recogniser's softmax output looks.
"""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.core.mrz import read_mrz
from desktop_app.core.mrz.ctc_decode import decode_line, decode_lines, name_tail
from desktop_app.core.ocr.base import MRZ_ALPHABET, StepProbabilities
from desktop_app.core.ocr.ctc import RestrictedDecoder

Step = dict[str, float]
# The ICAO 9303 part 4 specimen.
ICAO_TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


def _matrix(steps: list[Step]) -> StepProbabilities:
    probs = np.zeros((len(steps), 1 + len(MRZ_ALPHABET)), dtype=np.float32)
    for t, step in enumerate(steps):
        for ch, p in step.items():
            probs[t, 1 + MRZ_ALPHABET.index(ch)] = p
        probs[t, 0] = max(0.0, 1.0 - sum(step.values()))
    return StepProbabilities(MRZ_ALPHABET, probs)


def _render(text: str, *, merge_runs: bool = False, override: dict[int, Step] | None = None) -> StepProbabilities:
    """Two steps per character (the character, then a blank); with ``merge_runs`` a run of
    fillers is emitted as one long run of filler steps with no blank between its
    characters, which is what makes greedy decoding drop fillers."""
    steps: list[Step] = []
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if merge_runs and ch == "<" and nxt == "<":
            steps += [{"<": 0.9}, {"<": 0.9}]
            continue
        steps.append((override or {}).get(i, {ch: 0.98}))
        steps.append({})
    return _matrix(steps)


def _greedy(st: StepProbabilities) -> str:
    dec = RestrictedDecoder(MRZ_ALPHABET, tuple(np.asarray([i], dtype=np.int64) for i in range(1, 38)))
    return dec.decode(st.probs).text


def test_dropped_fillers_are_restored_to_the_layout_length() -> None:
    line = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    st = _render(line, merge_runs=True)
    assert len(_greedy(st)) < 44  # greedy collapses the run
    out = decode_line(st, ["".join(sorted(set(MRZ_ALPHABET)))] * 44)
    assert out is not None and out.text == line


def test_a_digit_position_takes_the_recognisers_best_digit() -> None:
    line = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    # At the first birth-date digit the model prefers the letter O; 0 is its second choice.
    st = _render(line, override={15: {"O": 0.6, "0": 0.35, "D": 0.03}})
    layout = decode_lines([_render("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"), st],
                          ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", line.replace("7408", "74O8")])
    td3 = next(d for d in layout if d.format == "TD3")
    decoded = td3.lines[1]
    assert decoded.text == line
    assert decoded.confidences[15] == pytest.approx(1.0)  # only digits may stand there
    assert "O" not in decoded.alternatives[15]


def test_filler_forced_after_the_names_shows_as_doubt() -> None:
    line = "P<CZESPECIMEN<<VZOR<<<<<<<<<<<<<<<<<<<<<<<<<"
    noisy = {30: {"S": 0.7, "<": 0.25}, 31: {"K": 0.8, "<": 0.15}}
    st = _render(line, override=noisy)
    l2 = "99006000<8CZE1102299F16090641152291111<<<<24"
    [td3, *_] = [d for d in decode_lines([st, _render(l2)], [line, l2]) if d.format == "TD3"]
    assert td3.lines[0].text == line
    assert td3.lines[0].confidences[30] < 0.5 and td3.lines[0].confidences[31] < 0.5
    assert td3.lines[0].confidences[10] > 0.9


def test_unknown_country_becomes_the_probable_known_one() -> None:
    l1, l2 = ICAO_TD3
    st1 = _render(l1, override={2: {"N": 0.5, "U": 0.45}})  # "NTO": no state's code
    [td3] = [d for d in decode_lines([st1, _render(l2)], [l1, l2]) if d.format == "TD3"]
    assert td3.lines[0].text[2:5] == "UTO"
    assert td3.lines[0].confidences[2] == pytest.approx(0.45 / 0.95, abs=0.01)


def test_unknown_country_with_no_probable_known_code_stays_as_read() -> None:
    l1, l2 = ICAO_TD3
    st1 = _render(l1, override={2: {"Q": 0.97, "U": 0.01}})
    [td3] = [d for d in decode_lines([st1, _render(l2)], [l1, l2]) if d.format == "TD3"]
    assert td3.lines[0].text[2:5] == "QTO"


def test_too_few_steps_for_the_layout_gives_none() -> None:
    st = _matrix([{"P": 0.9}, {"<": 0.9}])
    assert decode_line(st, [MRZ_ALPHABET] * 44) is None


def test_decoded_lines_read_like_the_composed_mrz() -> None:
    lines = ICAO_TD3
    st = [_render(x, merge_runs=True) for x in lines]
    [td3] = [d for d in decode_lines(st, [_greedy(s) for s in st]) if d.format == "TD3"]
    reading = read_mrz(td3.texts, confidences=[ln.confidences for ln in td3.lines])
    assert reading.valid and list(reading.lines) == list(lines)


@pytest.mark.parametrize(
    ("field", "cut"),
    [
        ("ERIKSSON<<ANNA<MARIA<<<<<<<<<", 20),
        ("ERIKSSON<<<<<<<<<<<<<", 8),
        ("SPECIMEN<<VZOR<<<<<<<<<<<SKKS<<<", 14),
        ("REINARTZ<<ULRIKE<KATIA<E<<K<<", 24),
        ("AVERYLONGSURNAMEFILLINGALL<<AB", None),
    ],
)
def test_name_tail(field: str, cut: int | None) -> None:
    assert name_tail(field, 0, len(field)) == cut
