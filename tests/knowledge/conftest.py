"""Fixtures of the knowledge tests."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.decide.situation import Facts
from tests.support.decide import facts_for


@pytest.fixture(scope="module")
def facts(catalog: Any) -> Facts:
    """The decision rules' facts over the curated catalog (`tests/support/decide.py`)."""
    return facts_for(catalog)
