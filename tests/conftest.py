"""Shared fixtures: the bundled packs, loaded once per session."""

from __future__ import annotations

import pytest

from surgewatch.core.bands import BandTable, compile_pack
from surgewatch.core.loader import load_pack
from surgewatch.core.pack import Pack


@pytest.fixture(scope="session")
def kent() -> Pack:
    return load_pack("kent-ascch")


@pytest.fixture(scope="session")
def kent_table(kent: Pack) -> BandTable:
    return compile_pack(kent)


@pytest.fixture(scope="session")
def acute() -> Pack:
    return load_pack("example-acute-trust")
