"""Shared paths for planning tests."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "plans"


@pytest.fixture
def ssot_plan_path() -> Path:
    return EXAMPLES / "ssot-2024-25-rsuh-medical.yaml"


@pytest.fixture
def costs_path() -> Path:
    return EXAMPLES / "kent-winter-2020-21-costs.yaml"


@pytest.fixture
def demand_plan_path() -> Path:
    return EXAMPLES / "illustrative-rsuh-medical-demand.yaml"


@pytest.fixture
def risks_path() -> Path:
    return EXAMPLES / "ssot-2024-25-risks.yaml"


@pytest.fixture
def demand_path() -> Path:
    return EXAMPLES / "kent-demand-illustrative.yaml"
