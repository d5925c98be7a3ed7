"""A second text-line recogniser: PP-OCRv6 small (ONNX) through onnxruntime.

The only module that imports onnxruntime, and only when a recogniser is built. It reads
line crops only (no detection): PP-OCRv4 (``paddle_engine``) stays the engine for
detection and the visual zone; this one is meant for MRZ lines.

Model conventions (checked on the bundled file, see the notes in resources/models):
- input ``x``: float32 (N, 3, 48, W), BGR, ``(pixel / 255 - 0.5) / 0.5``, W free (the
  model gives ``W // 8`` time steps); lines of one batch are padded on the right with 0
  (mid grey after normalisation), as PaddleOCR and RapidOCR pad them.
- output: (N, W // 8, 18710) probabilities, already a softmax. Class 0 is the CTC blank,
  classes 1..18708 are the lines of ``ppocrv6_dict.txt`` (the model's own metadata key
  ``character``, written out unchanged) and class 18709 is a space, which PaddleOCR
  appends to every dictionary (``use_space_char``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from desktop_app.core.ocr.base import Image, OcrError, RecognizedLine
from desktop_app.core.ocr.ctc import DecoderCache, prepare_line, recognise_in_batches
from desktop_app.core.ocr.paddle_engine import LATIN_ALPHABET
from desktop_app.core.resources import models_dir

log = logging.getLogger(__name__)

MODEL_DIR_NAME: Final = "PP-OCRv6_small_rec"
MODEL_FILE: Final = "PP-OCRv6_rec_small.onnx"
DICT_FILE: Final = "ppocrv6_dict.txt"
REC_HEIGHT: Final = 48
MAX_REC_WIDTH: Final = 3200
STEP_PX: Final = 8
"""The model gives one time step per 8 input columns."""


def load_characters(model_dir: Path) -> list[str]:
    """The model's class list: the CTC blank, the dictionary's entries, a space.

    The file is read as bytes and split on ``\\n`` only: the dictionary holds characters
    (``\\u3000``...) that text-mode reading or ``str.splitlines`` would mangle."""
    path = model_dir / DICT_FILE
    try:
        raw = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OcrError(f"The character list of the PP-OCRv6 recogniser could not be read ({path}): {exc}. "
                       "Reinstall the application.") from exc
    entries = raw.split("\n")
    if entries and entries[-1] == "":
        entries.pop()
    return ["blank", *entries, " "]


@dataclass(frozen=True)
class OnnxRecConfig:
    model_dir: Path = field(default_factory=lambda: models_dir() / MODEL_DIR_NAME)
    threads: int = 2
    """Intra-op threads; a counter PC has 2 cores, shared with the GUI and Paddle."""
    max_batch: int = 1
    """Lines per model call (lines of similar width are grouped up to this many). Measured
    on devset MRZ crops (2026-12-02, 2 cores): one line per call is as fast per line as
    three (45 vs 48 ms, fastest of 5) and holds +145 MB instead of +323 MB after reading
    three 2,360 px lines: the output alone is 18,710 probabilities per time step."""
    spin: bool = False
    """Let onnxruntime's idle threads spin-wait after a call (its default). Off: on 2 shared
    cores a spinning pool takes CPU from Paddle and the GUI right after every read."""


def cpu_session(model: Path, *, threads: int, spin: bool = False) -> Any:
    """An onnxruntime CPU session as the reader runs every ONNX model: ``threads`` intra-op
    threads, sequential, all graph optimisations, errors-only logging, and (unless ``spin``)
    idle threads that sleep instead of spin-waiting after a call. Raises what onnxruntime
    raises (ImportError when it is not installed)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(1, threads)
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3  # errors only: onnxruntime's warnings are not for the operator
    opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    return ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])


class OnnxLineRecognizer:
    """Reads one text line per crop with PP-OCRv6 small, like ``PaddleOcrEngine.recognize``.

    Not thread-safe beyond a lock around the model call: one recogniser per process.
    """

    def __init__(self, config: OnnxRecConfig | None = None) -> None:
        self.config = config or OnnxRecConfig()
        d = self.config.model_dir
        missing = [name for name in (MODEL_FILE, DICT_FILE) if not (d / name).is_file()]
        if missing:
            raise OcrError(f"The PP-OCRv6 recogniser's model files are missing from {d} "
                           f"({', '.join(missing)}). Reinstall the application.")
        self._characters = load_characters(d)
        try:
            import onnxruntime  # noqa: F401  (a missing or broken runtime gets its own message)
        except Exception as exc:  # ImportError, or a native library that does not load
            raise OcrError(f"The ONNX runtime for the PP-OCRv6 recogniser could not be loaded: {exc}") from exc
        try:
            self._session = cpu_session(d / MODEL_FILE, threads=self.config.threads, spin=self.config.spin)
        except Exception as exc:
            raise OcrError(f"The PP-OCRv6 recogniser could not be started (is {d / MODEL_FILE} damaged?): {exc}") from exc
        inputs = self._session.get_inputs()
        outputs = self._session.get_outputs()
        classes = outputs[0].shape[-1] if outputs else None
        if len(inputs) != 1 or (isinstance(classes, int) and classes != len(self._characters)):
            raise OcrError(f"The PP-OCRv6 recogniser's files do not belong together: the model scores {classes} "
                           f"classes, its character list gives {len(self._characters)}. Reinstall the application.")
        self._input_name = inputs[0].name
        self._decoders = DecoderCache(self._characters)
        self._lock = threading.Lock()

    @property
    def characters(self) -> list[str]:
        """The class list, blank first (a copy)."""
        return list(self._characters)

    # -- recognition ---------------------------------------------------------------------
    def recognize(self, crops: Sequence[Image], *, alphabet: str | None = None) -> list[RecognizedLine]:
        """Read one text line per crop (BGR or gray). ``alphabet`` restricts the output
        characters at decoding time (e.g. ``MRZ_ALPHABET``); None means Latin printable text.

        Decoded by the same :class:`RestrictedDecoder` as PP-OCRv4's lines: each line carries
        its per-character alternatives and ``steps``, the (T, 1 + len(alphabet)) pooled and
        renormalised probabilities, blank first."""
        if not crops:
            return []
        alphabet = alphabet or LATIN_ALPHABET
        decoder = self._decoders.get(alphabet)
        results: list[RecognizedLine | None] = [None] * len(crops)
        prepared: dict[int, npt.NDArray[np.float32]] = {}
        for i, crop in enumerate(crops):
            if crop is None or crop.size == 0 or min(crop.shape[:2]) < 1:
                results[i] = RecognizedLine("", 0.0, (), ())
            else:
                prepared[i] = prepare_line(np.asarray(crop), height=REC_HEIGHT, max_width=MAX_REC_WIDTH, min_width=STEP_PX)
        lines = recognise_in_batches(prepared, self._run, decoder, max_batch=self.config.max_batch)
        return [lines.get(i) or r or RecognizedLine("", 0.0, (), ()) for i, r in enumerate(results)]

    def _run(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        with self._lock:
            try:
                out = self._session.run(None, {self._input_name: x})
            except Exception as exc:
                raise OcrError(f"Text recognition (PP-OCRv6) failed: {exc}") from exc
        probs = np.asarray(out[0], dtype=np.float32)  # (N, T, C), softmax already applied
        if probs.ndim != 3 or probs.shape[2] != len(self._characters):
            raise OcrError(f"Text recognition (PP-OCRv6) gave output of an unexpected shape {probs.shape}.")
        return probs


