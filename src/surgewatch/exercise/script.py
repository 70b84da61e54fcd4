"""The exercise script: a scripted scenario to run through a plan's rules (issue 7).

A script names the pack (a bundled id or a path beside the script), a start time
(Europe/London wall-clock unless it carries an offset), the areas it covers, and a
timeline: indicator readings, declarations of the organisation's level, and the
moments actions are done. Each moment is either an offset from the start
(``+2h``, ``+1d 30m``) or a timestamp. Problems name the file, the path inside it
and a fix, like packs and plans (:mod:`surgewatch.core.documents`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from surgewatch.core.assess import check_value
from surgewatch.core.documents import DocumentError, Problem, parse_model
from surgewatch.core.loader import PackError, load_pack
from surgewatch.core.pack import LEVELS, Pack

LONDON = ZoneInfo("Europe/London")
_OFFSET = re.compile(r"^\+\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?$")


class ScriptError(DocumentError):
    """A script was refused; ``problems`` names every reason, with a fix."""


@dataclass(frozen=True)
class Moment:
    """When something happens: an offset from the script's start, or a fixed time."""

    offset: timedelta | None = None
    stamp: datetime | None = None

    def resolve(self, start: datetime) -> datetime:
        if self.offset is not None:
            return start + self.offset
        assert self.stamp is not None
        return self.stamp


def _moment(value: object) -> Moment:
    if isinstance(value, Moment):
        return value
    if isinstance(value, datetime):
        return Moment(stamp=_aware(value))
    text = str(value).strip()
    if text.startswith("+"):
        return Moment(offset=_offset(text))
    try:
        return Moment(stamp=_aware(datetime.fromisoformat(text)))
    except ValueError:
        raise ValueError(
            f"'{text}' is neither an offset nor a time; fix: write '+1d 2h 30m' from the "
            "start, or a time such as 2024-07-24T09:30 (UK time unless it has an offset)"
        ) from None


def _offset(text: str) -> timedelta:
    found = _OFFSET.match(text)
    if not found or not any(found.groups()):
        raise ValueError(f"'{text}' is not an offset; fix: write e.g. '+2h', '+1d 9h 30m'")
    days, hours, minutes = (int(part or 0) for part in found.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _aware(stamp: datetime) -> datetime:
    """A time with no offset is UK wall-clock time (DESIGN.md 'Time'), stored in UTC."""
    local = stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=LONDON)
    return local.astimezone(UTC)


When = Annotated[Moment, BeforeValidator(_moment)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class ScriptReading(Strict):
    """One indicator value reported for one area."""

    at: When
    area: Slug
    indicator: Slug
    value: float = Field(allow_inf_nan=False)


class ScriptDeclaration(Strict):
    """A person declares the organisation's level (seed 000, section 8)."""

    at: When
    level: int = Field(ge=1, le=4)
    reason: str = ""


class ScriptDone(Strict):
    """An action is done: its next deadline is met (or, for a one-off action, all of it).

    ``area`` names an area-scoped card; without it, every card of the action in force.
    """

    at: When
    action: Slug
    area: Slug | None = None
    note: str = ""


class ExerciseScript(Strict):
    """A whole script. ``illustrative`` says its figures are invented, as the output will."""

    title: str = Field(min_length=1)
    pack: str = Field(min_length=1)
    start: When
    until: When | None = None
    areas: list[Slug] = Field(default_factory=list)
    illustrative: bool = True
    note: str = ""
    source: str = ""
    readings: list[ScriptReading] = Field(default_factory=list)
    declarations: list[ScriptDeclaration] = Field(default_factory=list)
    done: list[ScriptDone] = Field(default_factory=list)

    @model_validator(mode="after")
    def _timed(self) -> ExerciseScript:
        if self.start.offset is not None:
            raise ValueError("start: is an offset; fix: give a time such as 2024-07-24T08:00")
        if not (self.readings or self.declarations):
            raise ValueError("readings: nothing happens; fix: add readings or declarations")
        return self

    @property
    def starts_at(self) -> datetime:
        return self.start.resolve(datetime.min.replace(tzinfo=UTC))


@dataclass(frozen=True)
class LoadedScript:
    """A script checked against its pack: ready to run."""

    script: ExerciseScript
    pack: Pack
    file: str


def parse_script(text: str, filename: str, base: Path | None = None) -> LoadedScript:
    """Validate YAML text as a script and check it against its pack; raise ScriptError."""
    script = parse_model(ExerciseScript, text, filename, ScriptError)
    return check_script(script, filename, base)


def load_script(path: str | Path) -> LoadedScript:
    path = Path(path)
    if not path.is_file():
        raise ScriptError([Problem(str(path), "", "no such file; fix: check the path")])
    return parse_script(path.read_text(encoding="utf-8"), str(path), path.parent)


def parse_for_pack(text: str, filename: str, pack: Pack) -> LoadedScript:
    """A script run against a pack the caller holds (the web: the organisation's live
    pack), never one named by path: an uploaded script cannot make the server read files."""
    script = parse_model(ExerciseScript, text, filename, ScriptError)
    if script.pack != pack.id:
        message = (
            f"is '{script.pack}', but this organisation runs '{pack.id}'; fix: pack: {pack.id}"
        )
        raise ScriptError([Problem(filename, "pack", message)])
    return check_against(script, pack, filename)


def check_script(script: ExerciseScript, filename: str, base: Path | None = None) -> LoadedScript:
    """The pack loads, and every area, indicator, action and value is one it knows."""
    return check_against(script, _pack(script.pack, filename, base), filename)


def check_against(script: ExerciseScript, pack: Pack, filename: str) -> LoadedScript:
    problems = [Problem(filename, path, message) for path, message in _problems(script, pack)]
    if problems:
        raise ScriptError(problems)
    return LoadedScript(script, pack, filename)


def _pack(source: str, filename: str, base: Path | None) -> Pack:
    beside = base / source if base is not None and source.endswith((".yaml", ".yml")) else None
    try:
        return load_pack(beside if beside is not None and beside.is_file() else source)
    except PackError as exc:
        raise ScriptError([Problem(filename, "pack", str(p)) for p in exc.problems]) from None


def _problems(script: ExerciseScript, pack: Pack) -> list[tuple[str, str]]:
    known = pack.area_ids
    found = [
        (f"areas.{n}", _unknown("area", area, known))
        for n, area in enumerate(script.areas)
        if area not in known
    ]
    covered = script.areas or known
    for n, reading in enumerate(script.readings):
        found += [(f"readings.{n}.{k}", m) for k, m in _reading_problems(pack, reading, covered)]
    actions = {a.id for levels in pack.actions.values() for e in levels.values() for a in e.actions}
    for n, done in enumerate(script.done):
        if done.action not in actions:
            found.append((f"done.{n}.action", _unknown("action", done.action, sorted(actions))))
        if done.area is not None and done.area not in covered:
            found.append((f"done.{n}.area", _unknown("area", done.area, covered)))
    found += _order_problems(script)
    return found


def _reading_problems(
    pack: Pack, reading: ScriptReading, areas: list[str]
) -> list[tuple[str, str]]:
    indicators = {i.id: i for i in pack.indicators}
    if reading.indicator not in indicators:
        return [("indicator", _unknown("indicator", reading.indicator, sorted(indicators)))]
    reported = list(indicators[reading.indicator].areas)
    if reading.area not in areas or reading.area not in reported:
        choices = [a for a in reported if a in areas]
        return [("area", _unknown(f"area for '{reading.indicator}'", reading.area, choices))]
    return [("value", e.message) for e in check_value(pack, reading.indicator, reading.value)]


def _order_problems(script: ExerciseScript) -> list[tuple[str, str]]:
    start = script.starts_at
    found = []
    timed: tuple[tuple[str, Sequence[ScriptReading | ScriptDeclaration | ScriptDone]], ...] = (
        ("readings", script.readings),
        ("declarations", script.declarations),
        ("done", script.done),
    )
    for name, entries in timed:
        for n, entry in enumerate(entries):
            if entry.at.resolve(start) < start:
                found.append((f"{name}.{n}.at", "is before the start; fix: move it after start"))
    if script.until is not None and script.until.resolve(start) <= start:
        found.append(("until", "is not after the start; fix: give a later time or offset"))
    return found


def _unknown(kind: str, value: str, known: list[str]) -> str:
    return f"unknown {kind} '{value}'; fix: use one of {', '.join(known) or 'none'}"


def level_text(level: int | None) -> str:
    return f"OPEL {level}" if level in LEVELS else "no level"
