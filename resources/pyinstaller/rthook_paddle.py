# PyInstaller runtime hook: runs before any application import in the frozen program.
# Paddle looks for libmklml_intel.so through FLAGS_mklml_dir; in a one-folder build its
# libraries sit under _MEIPASS/paddle/libs. Nothing may be fetched from a model hub.
import os
import sys

_root = getattr(sys, "_MEIPASS", None)
if _root:
    libs = os.path.join(_root, "paddle", "libs")
    if os.path.isdir(libs):
        os.environ.setdefault("FLAGS_mklml_dir", libs)
os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# paddle.utils.cpp_extension warns about a missing ccache at import (it matters only for
# compiling custom operators): keep the operator's terminal free of it.
import warnings  # noqa: E402

warnings.filterwarnings("ignore", message="No ccache found", category=UserWarning)
