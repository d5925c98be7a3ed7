"""PaddleOCR engine: PP-OCRv4 mobile detection + recognition, loaded offline.

The only module that imports paddle/paddleocr, and only when an engine is built, so
importing the core (or starting the GUI) costs nothing until OCR is actually needed.

Speed and correctness choices (see PLATFORM_NOTES.md):
- ``engine="paddle_static"`` with ``run_mode="mkldnn"`` and ``enable_new_ir=False``: the
  legacy executor with oneDNN. Paddle 3.3.1's new IR crashes on these models with oneDNN,
  and oneDNN off is ~9x slower.
- Threads = cores (Paddle's default of 10 oversubscribes a 2-core counter PC).
- Recognition runs on PaddleOCR's ``engine="onnxruntime"`` when the model folder holds the
  same weights as ``inference.onnx`` (``scripts/convert_rec_to_onnx.py``; outputs equal
  Paddle's to ~3e-6): Paddle's executor costs ~50 ms per call before any work, onnxruntime
  ~20 ms, and the visual zone makes 8-10 calls per document. ``rec_runtime="paddle"``
  (or a folder without the ONNX file) keeps the Paddle executor.
- Recognition bypasses PaddleX's text post-processing: we take the raw class
  probabilities from the predictor's runner and decode them ourselves, restricted to the
  alphabet the caller allows (the MRZ alphabet for MRZ lines). PaddleOCR still loads and
  configures the models; only the final decode is ours.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np

from desktop_app.core.ocr.base import DetectedText, Image, OcrError, Quad, RecognizedLine
from desktop_app.core.ocr.ctc import DecoderCache, prepare_line, recognise_in_batches
from desktop_app.core.resources import models_dir

log = logging.getLogger(__name__)

DET_MODEL = "PP-OCRv4_mobile_det"
REC_MODEL = "PP-OCRv4_mobile_rec"
REC_HEIGHT = 48
ONNX_FILE = "inference.onnx"
MAX_REC_WIDTH = 3200

# Latin printable text, as printed in the visual zone of documents from the countries the
# project reads; restricting to it keeps the Chinese half of the dictionary out of results.
LATIN_ALPHABET = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    " <>/.,:;-'()&+#*!?\"%"
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ"
)


def _offline_environment() -> None:
    """Make sure nothing in paddlex tries to reach a model hub."""
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
    os.environ.setdefault("PADDLE_PDX_MODEL_SOURCE", "local")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("GLOG_minloglevel", "2")


@dataclass(frozen=True)
class PaddleEngineConfig:
    model_root: Path = field(default_factory=models_dir)
    threads: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    det_limit_side: int = 960
    rec_runtime: Literal["onnxruntime", "paddle"] = "onnxruntime"
    """Which runtime PaddleOCR runs the recogniser on (onnxruntime only where the model
    folder holds ``inference.onnx``)."""


class PaddleOcrEngine:
    """Implements :class:`desktop_app.core.ocr.base.OcrEngine` with PaddleOCR.

    Not thread-safe: one engine per thread or process (the GUI runs it in a child process).
    """

    def __init__(self, config: PaddleEngineConfig | None = None) -> None:
        self.config = config or PaddleEngineConfig()
        _offline_environment()
        det_dir = self.config.model_root / DET_MODEL
        rec_dir = self.config.model_root / REC_MODEL
        for d in (det_dir, rec_dir):
            if not (d / "inference.pdiparams").is_file() or not (d / "inference.yml").is_file():
                raise OcrError(f"OCR model files are missing from {d}. Reinstall the application.")
        try:
            from paddleocr import TextDetection, TextRecognition
        except Exception as exc:  # ImportError, or paddle's own native-library failures
            raise OcrError(f"The OCR engine could not be loaded: {exc}") from exc
        engine_config: dict[str, Any] = {
            "run_mode": "mkldnn",
            "enable_new_ir": False,
            "cpu_threads": self.config.threads,
        }
        use_onnx = self.config.rec_runtime == "onnxruntime" and (rec_dir / ONNX_FILE).is_file()
        self.rec_runtime: str = "onnxruntime" if use_onnx else "paddle"
        try:
            if use_onnx:
                self._rec = TextRecognition(
                    model_name=REC_MODEL, model_dir=str(rec_dir), device="cpu", engine="onnxruntime",
                    engine_config={"intra_op_num_threads": self.config.threads, "inter_op_num_threads": 1,
                                   "log_severity_level": 3},
                )
            else:
                self._rec = TextRecognition(
                    model_name=REC_MODEL, model_dir=str(rec_dir), device="cpu",
                    engine="paddle_static", engine_config=engine_config,
                )
            self._det = TextDetection(
                model_name=DET_MODEL, model_dir=str(det_dir), device="cpu",
                engine="paddle_static", engine_config=engine_config,
                limit_side_len=self.config.det_limit_side, limit_type="max",
            )
        except Exception as exc:
            raise OcrError(f"The OCR models could not be started: {exc}") from exc
        predictor = self._rec.paddlex_predictor
        if use_onnx:
            # PaddleX builds its session with spin-waiting idle threads, which on two
            # shared cores take the CPU from everything that runs after a read (the glyph
            # classifier's 1 ms matrix product took 16 ms): the same model, in a session
            # whose threads sleep.
            from desktop_app.core.ocr.onnx_rec import cpu_session

            try:
                predictor.runner.session = cpu_session(rec_dir / ONNX_FILE, threads=self.config.threads)
            except Exception as exc:
                raise OcrError(f"The OCR models could not be started: {exc}") from exc
        self._rec_runner = predictor.runner
        # The class list with the CTC blank first, exactly as PaddleX's decoder holds it.
        self._characters: list[str] = list(predictor.post_op.character)
        self._decoders = DecoderCache(self._characters)
        self._lock = threading.Lock()

    # -- recognition -----------------------------------------------------------------
    def recognize(self, crops: Sequence[Image], *, alphabet: str | None = None) -> list[RecognizedLine]:
        if not crops:
            return []
        decoder = self._decoders.get(alphabet or LATIN_ALPHABET)
        prepared = {i: prepare_line(c, height=REC_HEIGHT, max_width=MAX_REC_WIDTH) for i, c in enumerate(crops)}
        lines = recognise_in_batches(prepared, self._run, decoder)
        return [lines[i] for i in range(len(crops))]

    def _run(self, x: np.ndarray) -> np.ndarray:
        with self._lock:
            try:
                out = self._rec_runner(x=[x])
            except Exception as exc:
                raise OcrError(f"Text recognition failed: {exc}") from exc
        return np.asarray(out[0], dtype=np.float32)  # (N, T, C)

    # -- detection ---------------------------------------------------------------------
    def detect(self, image: Image) -> list[DetectedText]:
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        with self._lock:
            try:
                res = self._det.predict(np.ascontiguousarray(image))
            except Exception as exc:
                raise OcrError(f"Text detection failed: {exc}") from exc
        if not res:
            return []
        polys = res[0]["dt_polys"]
        scores = res[0]["dt_scores"]
        found: list[DetectedText] = []
        for poly, score in zip(polys, scores, strict=False):
            pts: np.ndarray = np.asarray(poly, dtype=np.float32).reshape(-1, 2)
            if pts.shape[0] != 4:
                pts = np.asarray(cv2.boxPoints(cv2.minAreaRect(pts)))
            quad: Quad = tuple((float(p[0]), float(p[1])) for p in pts[:4])  # type: ignore[assignment]
            found.append(DetectedText(quad=quad, score=float(score)))
        return found
