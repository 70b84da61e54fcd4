"""The pack behind an installed framework, parsed once per process.

Keyed by the stored YAML text itself, so a framework row always yields the
rules it was installed with.
"""

from __future__ import annotations

from functools import lru_cache

from surgewatch.core.bands import BandTable, compile_pack
from surgewatch.core.loader import parse_pack
from surgewatch.core.pack import Pack
from surgewatch.web.orgs.models import Framework


def pack_of(framework: Framework) -> Pack:
    return _parse(framework.yaml_text, str(framework))


def table_of(framework: Framework) -> BandTable:
    return _compile(framework.yaml_text, str(framework))


@lru_cache(maxsize=16)
def _parse(text: str, label: str) -> Pack:
    return parse_pack(text, label)


@lru_cache(maxsize=16)
def _compile(text: str, label: str) -> BandTable:
    return compile_pack(_parse(text, label))
