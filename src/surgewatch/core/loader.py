"""Load framework packs from YAML and report every problem at once.

Each problem names the file, the path inside it and a fix, so whoever edits a
pack can correct all of it in one pass rather than one error per run.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from surgewatch.core.documents import COMMON_FIXES, DocumentError, Problem, parse_model
from surgewatch.core.pack import Pack

__all__ = ["PackError", "Problem", "bundled_pack_ids", "load_pack", "parse_pack"]

BUNDLED_PACKAGE = "surgewatch.packs"


class PackError(DocumentError):
    """A pack failed to load; ``problems`` lists every reason."""


PACK_FIXES = {
    **COMMON_FIXES,
    "string_pattern_mismatch": "use lower-case letters, digits, '-' or '_'",
}


def load_pack(source: str | Path) -> Pack:
    """Load a pack by bundled id (``kent-ascch``) or by file path."""
    path = resolve_pack_path(source)
    return parse_pack(path.read_text(encoding="utf-8"), str(path))


def parse_pack(text: str, filename: str) -> Pack:
    """Validate YAML text as a pack; raise :class:`PackError` listing every problem."""
    return parse_model(Pack, text, filename, PackError, PACK_FIXES)


def bundled_pack_ids() -> list[str]:
    """Ids of the packs shipped inside the package."""
    folder = resources.files(BUNDLED_PACKAGE)
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def resolve_pack_path(source: str | Path) -> Path:
    """Turn a bundled id or a path into a readable file path."""
    candidate = Path(source)
    if candidate.suffix in {".yaml", ".yml"} or candidate.exists():
        if not candidate.is_file():
            raise PackError([Problem(str(source), "", "no such file; fix: check the path")])
        return candidate
    bundled = resources.files(BUNDLED_PACKAGE) / f"{source}.yaml"
    if not bundled.is_file():
        known = ", ".join(bundled_pack_ids())
        raise PackError([Problem(str(source), "", f"no such pack; fix: use one of {known}")])
    return Path(str(bundled))
