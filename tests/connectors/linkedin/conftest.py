from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load(name: str) -> Any:
    """A payload written from the documentation (fixtures/README.md), as a fresh copy a test may change."""
    return copy.deepcopy(json.loads((FIXTURES / name).read_text(encoding="utf-8")))
