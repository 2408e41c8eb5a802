from __future__ import annotations

import pytest

from tests.builders import round_with_accepted_returns


@pytest.fixture
def national(analyst):
    """A round with 8 accepted returns across two regions, results and benchmarks computed."""
    return round_with_accepted_returns(analyst, n=8, label="2025", regions=["London", "North West"])
