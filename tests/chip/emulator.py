"""The virtual passport (``scripts/virtual_passport.py``) as a module, loaded once."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "virtual_passport.py"
NAME = "virtual_passport"


def load_emulator() -> ModuleType:
    """The emulator module; the same object for every test that asks (its classes are then
    one set, whichever test made a card)."""
    if NAME in sys.modules:
        return sys.modules[NAME]
    spec = importlib.util.spec_from_file_location(NAME, SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    spec.loader.exec_module(module)
    return module
