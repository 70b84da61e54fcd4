"""The frameworks the web app offers, loaded once per process from the package data."""

from __future__ import annotations

from functools import cache

from django.http import Http404

from surgewatch.improvement.frameworks import (
    FrameworkError,
    LoadedFramework,
    bundled_framework_ids,
    load_framework,
)


@cache
def loaded(framework_id: str) -> LoadedFramework:
    """A bundled framework; raises FrameworkError naming the fix for an unknown id."""
    return load_framework(framework_id)


def loaded_or_404(framework_id: str) -> LoadedFramework:
    if framework_id not in bundled_framework_ids():
        raise Http404(f"no framework {framework_id}")
    try:
        return loaded(framework_id)
    except FrameworkError as broken:  # a packaging fault: say so rather than hide it
        raise RuntimeError(str(broken)) from broken


def all_loaded() -> list[LoadedFramework]:
    return [loaded(framework_id) for framework_id in bundled_framework_ids()]
