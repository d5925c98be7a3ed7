"""The bundled model weights are the ones the manifest names, byte for byte."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.resources import models_dir, verify_manifest


def test_model_manifest_matches_files() -> None:
    assert verify_manifest(models_dir()) == []


def test_manifest_detects_a_changed_file(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"original")
    import hashlib

    digest = hashlib.sha256(b"original").hexdigest()
    (tmp_path / "MANIFEST.sha256").write_text(f"{digest}  a.bin\n{digest}  missing.bin\n")
    assert verify_manifest(tmp_path) == ["missing: missing.bin"]
    (tmp_path / "a.bin").write_bytes(b"tampered")
    assert "checksum mismatch: a.bin" in verify_manifest(tmp_path)


def test_each_model_has_its_inference_yml_and_licence() -> None:
    root = models_dir()
    for name in ("PP-OCRv4_mobile_det", "PP-OCRv4_mobile_rec"):
        yml = (root / name / "inference.yml").read_text(encoding="utf-8")
        assert f"model_name: {name}" in yml
    assert "Apache" in (root / "LICENSE-PaddleOCR.txt").read_text(encoding="utf-8")
