from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "catalog"


@pytest.fixture
def catalog_data() -> Path:
    return DATA
