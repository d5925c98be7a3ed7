"""``python -m tests.synth OUTDIR --n 20 --condition phone --seed 1``

Writes ``NNNN_FORMAT_CONDITION.jpg`` (``.png`` for clean) and a ``.json`` truth file beside
each: the layout ``bench/accuracy.py FOLDER`` reads.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from tests.synth.generator import CONDITIONS, generate, set_seed
from tests.synth.i18n import LANGUAGES
from tests.synth.identity import FORMATS


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tests.synth",
        description="Render synthetic identity documents with truth files.",
    )
    ap.add_argument("outdir", help="folder to write NAME.jpg/png + NAME.json into (created if missing)")
    ap.add_argument("--n", type=int, default=20, help="number of documents (default 20)")
    ap.add_argument(
        "--condition",
        default="clean",
        choices=[*CONDITIONS, "all"],
        help="capture condition; 'all' cycles them",
    )
    ap.add_argument(
        "--seed", type=int, default=0, help="set seed (default 0); document i uses seed*1000000+i"
    )
    ap.add_argument(
        "--format",
        action="append",
        choices=FORMATS,
        help="only these formats (repeatable; default all, cycled)",
    )
    ap.add_argument("--language", choices=LANGUAGES, default=None, help="force the label language")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.n < 0 or args.seed < 0:
        ap.error("--n and --seed must be >= 0")
    formats = tuple(args.format) if args.format else FORMATS
    conditions = CONDITIONS if args.condition == "all" else (args.condition,)
    t0 = time.perf_counter()
    for i in range(args.n):
        fmt = formats[i % len(formats)]
        cond = conditions[(i // len(formats)) % len(conditions)] if len(conditions) > 1 else conditions[0]
        doc = generate(fmt, set_seed(args.seed, i), cond, language=args.language)
        name = f"{i:04d}_{fmt.lower()}_{cond}"
        image_path, _ = doc.save(args.outdir, name)
        if not args.quiet:
            print(image_path)
    if not args.quiet:
        dt = time.perf_counter() - t0
        print(f"{args.n} documents in {dt:.1f} s ({1000 * dt / max(args.n, 1):.0f} ms each)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
