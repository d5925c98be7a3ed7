"""The sample documents bundled in ``resources/samples`` (self-test, quick start).

``python -m tests.synth.samples [FOLDER]`` writes them again. Which seed makes which
sample is fixed here; the people are invented. Re-render them whenever the generator's
output changes (see ``GENERATOR_VERSION``) so their truth files stay exact.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

from desktop_app.core.resources import samples_dir
from tests.synth.generator import generate

SAMPLES: Final = {
    # name: (format, seed, condition) -- scanned at 200-300 dpi, as a counter scanner would
    "sample_td3": ("TD3", 769, "scanner"),  # passport, hyphenated name with umlauts
    "sample_td1": ("TD1", 5, "scanner"),  # ID card, both sides on one scan
    "sample_mrva": ("MRVA", 1, "scanner"),  # visa sticker on a passport page
}
MAX_BYTES: Final = 400 * 1024


def write_samples(folder: Path | None = None) -> list[Path]:
    out = folder or samples_dir()
    written: list[Path] = []
    for name, (fmt, seed, condition) in SAMPLES.items():
        doc = generate(fmt, seed, condition)
        image_path, json_path = doc.save(out, name)
        if image_path.stat().st_size > MAX_BYTES:
            raise RuntimeError(f"{image_path} is over {MAX_BYTES // 1024} KB: pick another seed")
        written += [image_path, json_path]
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in write_samples(Path(args[0]) if args else None):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
