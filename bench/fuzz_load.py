"""Fuzz the image loader with mutated JPEG, PNG, TIFF, WebP, GIF, BMP and PDF files.

    .venv/bin/python bench/fuzz_load.py                       # 2,000 cases, seed 1
    .venv/bin/python bench/fuzz_load.py --cases 20000 --seed 7 --out /tmp/fuzz-findings
    .venv/bin/python bench/fuzz_load.py --replay /tmp/fuzz-findings/case-123.bin

Every case is a valid seed file (made here, in memory) put through a few mutations:
bit flips, "interesting" bytes, truncation, header field edits that know each format
(PNG IHDR, JPEG SOF, TIFF IFD entries, GIF screen and frame sizes, WebP and BMP
dimensions, PDF /Count, /MediaBox, /Length, /Width ...), splices, insertions and
deletions. A worker process decodes each case with
:func:`desktop_app.core.imaging.load.load_pages_from_bytes`; the parent gives each case a
time limit (a case over it is a *hang*: the worker is killed and restarted) and the
worker an address-space limit (running out is *memory*). Outcomes:

  ok      decoded (some mutations leave a valid file)
  error   refused with ImageLoadError: the expected answer to a bad file
  crash   any other exception (a bug: DocumentReader.read would raise)
  memory  MemoryError under the address-space limit (pixel budget not enforced)
  hang    over the time limit
  died    the worker process died (a segfault in a decoder, say)

Findings (crash, memory, hang, died) are written to ``--out`` as ``case-N.bin`` for
``--replay``. Prints figures; the exit status is 1 when there was any finding.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import select
import struct
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FINDINGS = ("crash", "memory", "hang", "died")
DEFAULT_TIME_LIMIT_S = 10.0
MEMORY_HEADROOM_BYTES = 3 * 1024**3
"""Address space the worker may use beyond what it has after its imports."""

# -- seeds ----------------------------------------------------------------------------------------


def _picture(w: int, h: int, seed: int = 0):  # type: ignore[no-untyped-def]
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 235, np.uint8)
    img[h // 2 :, :] = rng.integers(0, 255, (h - h // 2, w, 3), dtype=np.uint8)
    cv2.putText(img, "P<UTOERIKSSON", (4, h // 3), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1)
    return img


def seeds() -> dict[str, bytes]:
    """Small valid files of every kind the loader takes, in the variants decoders treat apart."""
    import cv2
    import numpy as np
    from PIL import Image

    def pil(img: Image.Image, fmt: str, **kw: object) -> bytes:
        buf = io.BytesIO()
        img.save(buf, format=fmt, **kw)
        return buf.getvalue()

    bgr = _picture(160, 96)
    rgb = Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    gray16 = Image.fromarray(np.asarray(rgb.convert("L")).astype(np.uint16) * 257)
    exif = Image.Exif()
    exif[0x0112] = 6
    out = {
        "jpeg": pil(rgb, "JPEG", quality=80),
        "jpeg-progressive-exif": pil(rgb, "JPEG", quality=80, progressive=True, exif=exif.tobytes()),
        "jpeg-cmyk": pil(rgb.convert("CMYK"), "JPEG"),
        "png": pil(rgb, "PNG"),
        "png-palette-transparent": pil(rgb.convert("P"), "PNG", transparency=0),
        "png-16bit-gray": pil(gray16, "PNG"),
        "png-interlaced": cv2.imencode(".png", bgr)[1].tobytes(),
        "tiff-raw": pil(rgb, "TIFF"),
        "tiff-lzw": pil(rgb, "TIFF", compression="tiff_lzw"),
        "tiff-deflate-3pages": pil(rgb, "TIFF", compression="tiff_deflate", save_all=True,
                                   append_images=[rgb.rotate(90, expand=True), rgb.convert("L")]),
        "tiff-packbits-gray16": pil(gray16, "TIFF", compression="packbits"),
        "tiff-jpeg": pil(rgb, "TIFF", compression="jpeg"),
        "webp-lossy": pil(rgb, "WEBP", quality=70),
        "webp-lossless": pil(rgb, "WEBP", lossless=True),
        "gif-animated": pil(rgb.convert("P"), "GIF", save_all=True,
                            append_images=[rgb.rotate(180).convert("P")], duration=100, loop=0),
        "bmp": pil(rgb, "BMP"),
        "bmp-rle8": _bmp_rle8(rgb.convert("P")),
        "pdf-image": pil(rgb, "PDF", resolution=150.0),
        "pdf-2pages": pil(rgb, "PDF", resolution=150.0, save_all=True, append_images=[rgb.convert("L")]),
    }
    try:
        from tests.hardening.hostile import pdf_of_image

        out["pdf-rc4-open"] = pdf_of_image(bgr, user_password=b"", dpi=150.0)
        out["pdf-rc4-password"] = pdf_of_image(bgr, user_password=b"secret", dpi=150.0)
    except ImportError:  # run from an installed tree without the tests
        pass
    return out


def _bmp_rle8(img) -> bytes:  # type: ignore[no-untyped-def]
    """PIL does not write RLE8; patch an 8-bit BMP's header and encode absolute runs."""
    raw = io.BytesIO()
    img.save(raw, format="BMP")
    data = bytearray(raw.getvalue())
    offset = struct.unpack_from("<I", data, 10)[0]
    w, h = img.size
    stride = (w + 3) & ~3
    rows = [bytes(data[offset + y * stride : offset + y * stride + w]) for y in range(h)]
    enc = bytearray()
    for row in rows:
        for i in range(0, w, 200):
            part = row[i : i + 200]
            if len(part) >= 3:
                enc += bytes([0, len(part)]) + part + (b"\0" if len(part) % 2 else b"")
            else:
                for b in part:
                    enc += bytes([1, b])
        enc += b"\0\0"
    enc += b"\0\1"
    head = data[:offset]
    struct.pack_into("<I", head, 30, 1)  # BI_RLE8
    struct.pack_into("<I", head, 34, len(enc))
    struct.pack_into("<I", head, 2, len(head) + len(enc))
    return bytes(head + enc)


# -- mutations -------------------------------------------------------------------------------------

INTERESTING_8 = (0x00, 0x01, 0x7F, 0x80, 0xFF)
INTERESTING_32 = (0, 1, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 50_000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)


def _int_fields(data: bytes) -> list[tuple[int, str]]:
    """(offset, struct format) of size and count fields of the seed's format."""
    fields: list[tuple[int, str]] = []
    if data.startswith(b"\x89PNG"):
        pos = 8
        while pos + 8 <= len(data):
            length = struct.unpack_from(">I", data, pos)[0]
            kind = data[pos + 4 : pos + 8]
            fields.append((pos, ">I"))  # chunk length
            if kind == b"IHDR":
                fields += [(pos + 8, ">I"), (pos + 12, ">I"), (pos + 16, ">B"), (pos + 17, ">B"), (pos + 20, ">B")]
            pos += 12 + length
    elif data.startswith(b"\xff\xd8"):
        for m in re.finditer(b"\xff[\xc0-\xcf\xda\xdb\xc4\xdd\xe1]", data):
            p = m.start()
            fields.append((p + 2, ">H"))
            if data[p + 1] in (0xC0, 0xC1, 0xC2):
                fields += [(p + 4, ">B"), (p + 5, ">H"), (p + 7, ">H"), (p + 9, ">B")]
    elif data[:4] in (b"II*\0", b"MM\0*"):
        end = "<" if data[:2] == b"II" else ">"
        ifd = struct.unpack_from(end + "I", data, 4)[0]
        seen = 0
        while 0 < ifd < len(data) - 2 and seen < 8:
            seen += 1
            n = struct.unpack_from(end + "H", data, ifd)[0]
            fields.append((ifd, end + "H"))
            for i in range(min(n, 64)):
                e = ifd + 2 + 12 * i
                if e + 12 > len(data):
                    break
                fields += [(e + 4, end + "I"), (e + 8, end + "I"), (e + 8, end + "H")]
            nxt = ifd + 2 + 12 * n
            ifd = struct.unpack_from(end + "I", data, nxt)[0] if nxt + 4 <= len(data) else 0
    elif data[:3] == b"GIF":
        fields += [(6, "<H"), (8, "<H"), (10, "<B")]
        for m in re.finditer(b"\x2c", data[13:]):
            p = 13 + m.start()
            fields += [(p + 5, "<H"), (p + 7, "<H"), (p + 9, "<B")]
            if len(fields) > 40:
                break
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        fields += [(4, "<I"), (16, "<I")]
        if data[12:16] == b"VP8 ":
            fields += [(26, "<H"), (28, "<H")]
        elif data[12:16] == b"VP8L":
            fields += [(21, "<I")]
        elif data[12:16] == b"VP8X":
            fields += [(24, "<H"), (27, "<H")]
    elif data[:2] == b"BM":
        fields += [(2, "<I"), (10, "<I"), (14, "<I"), (18, "<i"), (22, "<i"), (28, "<H"), (30, "<I"), (46, "<I")]
    return [(o, f) for o, f in fields if o + struct.calcsize(f) <= len(data)]


_PDF_NUMBER_AFTER = re.compile(rb"/(Count|Length|Width|Height|Size|BitsPerComponent|Columns|Rotate|R|V)\s+(-?\d+)")
_PDF_MEDIABOX = re.compile(rb"/(MediaBox|CropBox)\s*\[[^\]]*\]")


def _edit_pdf(data: bytes, rng: random.Random) -> bytes:
    choice = rng.random()
    matches = list(_PDF_NUMBER_AFTER.finditer(data))
    if choice < 0.5 and matches:
        m = rng.choice(matches)
        value = str(rng.choice([0, -1, 1, 2, 51, 60, 1000, 10**6, 2**31, 2**63, 10**30])).encode()
        return data[: m.start(2)] + value + data[m.end(2) :]
    boxes = list(_PDF_MEDIABOX.finditer(data))
    if choice < 0.8 and boxes:
        m = rng.choice(boxes)
        nums = [rng.choice(["0", "-1", "1e30", "1e6", "14400", "NaN", "3.4e38", "-1e30"]) for _ in range(4)]
        box = b"/" + m.group(1) + b" [" + " ".join(nums).encode() + b"]"
        return data[: m.start()] + box + data[m.end() :]
    # Damage the cross-reference table or trailer.
    for token in (b"startxref", b"xref", b"trailer", b"/Root", b"endobj", b"stream"):
        at = data.find(token)
        if at >= 0 and rng.random() < 0.5:
            return data[:at] + bytes(rng.randrange(256) for _ in range(len(token))) + data[at + len(token) :]
    return data


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    """One mutated case and the names of the mutations applied."""
    out = bytearray(data)
    applied: list[str] = []
    for _ in range(rng.choice((1, 1, 1, 2, 3, 5))):
        kind = rng.choice(["flip", "flip", "byte", "truncate", "field", "field", "field", "splice", "insert", "delete",
                           "pdf"])
        if not out:
            break
        if kind == "flip":
            for _ in range(rng.randint(1, 8)):
                p = rng.randrange(len(out))
                out[p] ^= 1 << rng.randrange(8)
        elif kind == "byte":
            p = rng.randrange(len(out))
            out[p] = rng.choice(INTERESTING_8) if rng.random() < 0.6 else rng.randrange(256)
        elif kind == "truncate":
            out = out[: rng.randrange(len(out))]
        elif kind == "field":
            fields = _int_fields(bytes(out))
            if not fields:
                continue
            off, fmt = rng.choice(fields)
            size = struct.calcsize(fmt)
            top = (1 << (8 * size)) - 1
            value = rng.choice([v for v in INTERESTING_32 if v <= top] + [rng.randint(0, top)])
            if fmt[-1] in "ih":
                value -= (top + 1) // 2 if value > top // 2 else 0
            struct.pack_into(fmt, out, off, value)
        elif kind == "splice":
            a = rng.randrange(len(out))
            piece = out[a : a + rng.randint(1, 256)]
            b = rng.randrange(len(out))
            out[b:b] = piece
        elif kind == "insert":
            p = rng.randrange(len(out))
            out[p:p] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        elif kind == "delete":
            a = rng.randrange(len(out))
            del out[a : a + rng.randint(1, 256)]
        elif kind == "pdf":
            if out[:5] != b"%PDF-":
                continue
            out = bytearray(_edit_pdf(bytes(out), rng))
        applied.append(kind)
    return bytes(out), applied


def cases(n: int, seed: int, seed_files: dict[str, bytes]) -> Iterator[tuple[int, str, list[str], bytes]]:
    """(index, seed name, mutations, bytes) for ``n`` cases; the same for the same seed."""
    names = sorted(seed_files)
    for i in range(n):
        rng = random.Random(f"{seed}:{i}")
        name = names[i % len(names)]
        data, applied = mutate(seed_files[name], rng)
        yield i, name, applied, data


# -- the worker --------------------------------------------------------------------------------------


def _read_exact(stream: io.BufferedReader, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def worker_main() -> int:
    """Decode framed cases from stdin; one JSON line per case on stdout."""
    import warnings

    warnings.simplefilter("ignore")
    from desktop_app.core.imaging.load import ImageLoadError, load_pages_from_bytes

    with open("/proc/self/statm") as f:
        vm_pages = int(f.read().split()[0])
    limit = vm_pages * os.sysconf("SC_PAGE_SIZE") + MEMORY_HEADROOM_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    stdin = sys.stdin.buffer
    out = sys.stdout
    out.write(json.dumps({"ready": True, "limit_mb": limit // 2**20}) + "\n")
    out.flush()
    while True:
        try:
            (size,) = struct.unpack("<Q", _read_exact(stdin, 8))  # type: ignore[arg-type]
            data = _read_exact(stdin, size)  # type: ignore[arg-type]
        except EOFError:
            return 0
        t0 = time.perf_counter()
        detail = ""
        pages = 0
        try:
            result = load_pages_from_bytes(data)
            pages = len(result)
            del result
            outcome = "ok"
        except ImageLoadError as exc:
            outcome, detail = "error", str(exc)
        except MemoryError:
            outcome, detail = "memory", "MemoryError"
        except Exception as exc:
            outcome = "crash"
            detail = f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_exception(exc)[-6:])
        ms = (time.perf_counter() - t0) * 1000
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out.write(json.dumps({"outcome": outcome, "detail": detail, "ms": ms, "pages": pages, "peak_rss_mb": rss})
                  + "\n")
        out.flush()


# -- the parent ----------------------------------------------------------------------------------------


@dataclass
class Finding:
    index: int
    seed: str
    mutations: list[str]
    outcome: str
    detail: str
    path: Path | None = None


@dataclass
class Report:
    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    by_seed: dict[str, Counter[str]] = field(default_factory=dict)
    messages: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    slowest_ms: float = 0.0
    slowest_case: int = -1
    peak_rss_mb: float = 0.0
    restarts: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings


class _Worker:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker"], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        hello = self._line(60.0)
        if hello is None or not json.loads(hello).get("ready"):
            raise RuntimeError("the fuzz worker did not start")

    def _line(self, timeout: float) -> str | None:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        return line.decode() if line else ""

    def run(self, data: bytes, timeout: float) -> dict[str, object]:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(struct.pack("<Q", len(data)) + data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            return {"outcome": "died", "detail": f"worker gone (exit {self.proc.poll()})"}
        line = self._line(timeout)
        if line is None:
            return {"outcome": "hang", "detail": f"no answer in {timeout:.0f} s"}
        if line == "":
            code = self.proc.wait(10)
            return {"outcome": "died", "detail": f"worker died with exit status {code}"}
        return dict(json.loads(line))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for s in (self.proc.stdin, self.proc.stdout):
            if s is not None:
                s.close()


def run(n: int, seed: int, *, time_limit: float = DEFAULT_TIME_LIMIT_S, out: Path | None = None,
        progress: Callable[[int], None] | None = None) -> Report:
    """Fuzz ``n`` cases; findings' bytes go to ``out`` when given."""
    report = Report()
    t0 = time.perf_counter()
    seed_files = seeds()
    worker = _Worker()
    try:
        for i, name, applied, data in cases(n, seed, seed_files):
            answer = worker.run(data, time_limit)
            outcome = str(answer["outcome"])
            report.cases += 1
            report.outcomes[outcome] += 1
            report.by_seed.setdefault(name, Counter())[outcome] += 1
            ms = float(answer.get("ms", time_limit * 1000))  # type: ignore[arg-type]
            if ms > report.slowest_ms:
                report.slowest_ms, report.slowest_case = ms, i
            report.peak_rss_mb = max(report.peak_rss_mb, float(answer.get("peak_rss_mb", 0.0)))  # type: ignore[arg-type]
            if outcome == "error":
                report.messages[re.sub(r"\d+", "N", str(answer["detail"]))[:120]] += 1
            if outcome in FINDINGS:
                finding = Finding(i, name, applied, outcome, str(answer.get("detail", "")))
                if out is not None:
                    out.mkdir(parents=True, exist_ok=True)
                    finding.path = out / f"case-{i}.bin"
                    finding.path.write_bytes(data)
                report.findings.append(finding)
                if outcome in ("hang", "died", "memory"):
                    worker.stop()
                    worker = _Worker()
                    report.restarts += 1
            if progress is not None:
                progress(i)
    finally:
        worker.stop()
    report.seconds = time.perf_counter() - t0
    return report


def print_report(report: Report, seed: int) -> None:
    print(f"fuzz_load: {report.cases} cases (seed {seed}) in {report.seconds:.1f} s, "
          f"{report.cases / max(report.seconds, 1e-9):.0f} cases/s")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items())))
    print(f"slowest case: {report.slowest_ms:.0f} ms (case {report.slowest_case}); "
          f"worker peak RSS {report.peak_rss_mb:.0f} MB; worker restarts {report.restarts}")
    print("by seed:")
    for name, counts in sorted(report.by_seed.items()):
        print(f"  {name:26} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print("most frequent messages:")
    for msg, count in report.messages.most_common(12):
        print(f"  {count:6}  {msg}")
    if report.findings:
        print(f"FINDINGS ({len(report.findings)}):")
        for f in report.findings:
            where = f" -> {f.path}" if f.path else ""
            print(f"  case {f.index} [{f.seed}; {'+'.join(f.mutations)}] {f.outcome}: {f.detail.splitlines()[0] if f.detail else ''}{where}")
    else:
        print("no findings (no crash, memory exhaustion, hang or dead worker)")


def replay(path: Path) -> int:
    from desktop_app.core.imaging.load import ImageLoadError, load_pages_from_bytes

    data = path.read_bytes()
    t0 = time.perf_counter()
    try:
        pages = load_pages_from_bytes(data)
        print(f"ok: {len(pages)} page(s) {[p.image.shape for p in pages]}")
    except ImageLoadError as exc:
        print(f"error (expected kind): {exc}")
    print(f"{(time.perf_counter() - t0) * 1000:.0f} ms")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S, help="seconds per case")
    ap.add_argument("--out", type=Path, default=None, help="folder for the findings' files")
    ap.add_argument("--replay", type=Path, default=None, help="decode one saved case, in this process")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker_main()
    if args.replay:
        return replay(args.replay)
    report = run(args.cases, args.seed, time_limit=args.time_limit, out=args.out)
    print_report(report, args.seed)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
