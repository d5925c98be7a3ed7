"""Fuzz the text engines for longer than CI does: ``read_mrz``, ``extract_viz_fields``,
``parse_printed_date``, ``transliterate`` and ``cross_check``.

    .venv/bin/python bench/fuzz_text.py                    # 5,000 examples a property, random seed
    .venv/bin/python bench/fuzz_text.py --examples 50000 --only read_mrz

The properties and strategies are those of ``tests/hardening/text_properties.py`` (CI
runs them deterministically, a few hundred examples each). Hypothesis shrinks any
failure to a small example, which is printed. Prints figures; exit status 1 on a failure.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening import text_properties as tp


def _properties() -> dict[str, tuple[Callable[..., None], tuple[st.SearchStrategy[object], ...]]]:
    return {
        "read_mrz": (lambda *a: tp.check_read_mrz(*a, realistic=True),
                     (tp.mrz_lines, tp.confidences, tp.realistic_today, st.integers(0, 3650), tp.unit_float)),
        "read_mrz_any_settings": (lambda *a: tp.check_read_mrz(*a, realistic=False),
                                  (tp.mrz_lines, tp.confidences, tp.any_today, st.integers(-10**9, 10**9), tp.any_float)),
        "parse_printed_date": (tp.check_parse_printed_date,
                               (st.one_of(tp.any_text, tp.value_text), st.sampled_from(["birth", "expiry", "issue", "any"]),
                                tp.realistic_today)),
        "transliterate": (tp.check_transliterate, (st.one_of(tp.any_text, tp.value_text),)),
        "extract_viz_fields": (tp.check_extract_viz, (st.lists(tp.text_line(), max_size=40), tp.page_size,
                                                      st.one_of(st.none(), tp.box), tp.realistic_today)),
        "cross_check": (tp.check_cross_check, (tp.viz_values, st.one_of(tp.unit_float, tp.any_float),
                                               st.one_of(tp.unit_float, tp.any_float))),
    }


def _runner(check: Callable[..., None], count: dict[str, int]) -> Callable[[tuple[object, ...]], None]:
    def run(values: tuple[object, ...]) -> None:
        count["n"] += 1
        check(*values)

    return run


def main(argv: list[str] | None = None) -> int:
    props = _properties()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--examples", type=int, default=5000, help="examples per property")
    ap.add_argument("--only", choices=sorted(props), action="append", help="run only these properties")
    args = ap.parse_args(argv)
    failed = 0
    for name in args.only or list(props):
        check, strategies = props[name]
        count = {"n": 0}
        test = settings(max_examples=args.examples, deadline=None, database=None,
                        suppress_health_check=list(HealthCheck))(given(st.tuples(*strategies))(_runner(check, count)))
        t0 = time.perf_counter()
        try:
            test()
            verdict = "ok"
        except Exception as exc:  # the falsifying example is in Hypothesis' output above
            failed += 1
            verdict = f"FAILED: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        seconds = time.perf_counter() - t0
        print(f"{name:24} {count['n']:7} calls in {seconds:6.1f} s ({count['n'] / max(seconds, 1e-9):7.0f}/s)  {verdict}",
              flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
