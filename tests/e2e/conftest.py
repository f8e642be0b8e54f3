"""Fixtures shared by the end-to-end tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shots() -> Path:
    directory = Path(os.environ.get("STINT_E2E_SHOTS", REPO / "target-e2e-shots"))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".gitignore").write_text("*\n")
    return directory


