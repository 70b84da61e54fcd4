"""Replay a script through a sandboxed copy of the plan's rules, at simulated time.

Nothing here touches the database, the clock or a message channel: the pack is
an immutable value, every state lives in this run, and the clock is the script's.
The rules are the core's, as the live service calls them:

- readings are classified by :func:`surgewatch.core.assess.classify` (band
  semantics of DESIGN.md; seed 000, section 4.3 for Kent's bands);
- each cell keeps a :class:`surgewatch.core.hysteresis.HoldState` (seed 000,
  section 8: a level stands down only once it has been lower for the hold);
- the organisation's level is :func:`surgewatch.core.acting.engine_level` over
  the held cells and :func:`surgewatch.core.acting.acting_level` with the latest
  declaration; each area's the same rule over its own cells, raised to the
  declaration (as ``surgewatch.web.actions.levels.Levels.area_acting``);
- a level change opens and stands down actions by
  :func:`surgewatch.core.actions.transition`, organisation-scoped roles on the
  organisation's change and area-scoped roles on their area's (``Role.scope``);
- who is told follows the live messages: ``level_change_notify`` roles on the
  organisation's change, each role its new actions, a missed deadline its role,
  and after ``action_timers.escalate_after_minutes`` the role above;
- timed protocols (seed 000, section 6.1, the NHS 111 DoS protocol) follow
  :mod:`surgewatch.core.protocols`: an ``automatic`` one starts on escalation to
  its level; a ``manual`` one is taken as started by its owner as soon as the
  level allows (nobody presses the button in an exercise). Step (b)'s role is
  in or out of hours as at each round (the pack's office hours); at each review
  pressure remains while the organisation is still at the protocol's level, so
  the steps repeat, else the run stops;
- reporting deadlines are :func:`surgewatch.core.schedule.windows_at` under the
  organisation's level (seed 000, section 3.1 and Appendix 3), the script's
  readings being the reports; a late report reminds its reporters and a missing
  one the roles above (:mod:`surgewatch.core.report_reminders`), as the live
  worker does. Only cells the script reports at least once are judged (a cell it
  never mentions is not part of the exercise, as an area it does not cover), and
  windows due before the script's start are not.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from surgewatch.core import protocols as protocol_rules
from surgewatch.core.acting import acting_level, engine_level
from surgewatch.core.actions import RoleAction, transition
from surgewatch.core.assess import Reading, classify
from surgewatch.core.bands import compile_pack
from surgewatch.core.hysteresis import HoldState
from surgewatch.core.pack import Pack, Protocol, ProtocolStep, RoleScope
from surgewatch.core.report_reminders import monitored_cells, reminder_roles
from surgewatch.core.schedule import ReportState, WindowStatus, deadlines_on, windows_at
from surgewatch.exercise import cards as cardbook
from surgewatch.exercise.events import Event, ExerciseResult, Kind, local_text
from surgewatch.exercise.script import (
    ExerciseScript,
    LoadedScript,
    ScriptDeclaration,
    ScriptDone,
    ScriptReading,
    level_text,
)

Cell = tuple[str, str]
Entry = ScriptReading | ScriptDeclaration | ScriptDone
# What the live service sends when a person chose no channel: email to their account.
DEFAULT_CHANNELS: tuple[str, ...] = ("email",)
_RANK = {ScriptReading: 0, ScriptDeclaration: 1, ScriptDone: 2}
# A report exactly at its deadline is on time (core.schedule), so the clock looks
# again just after each deadline and each end of grace.
_JUST_AFTER = timedelta(seconds=1)
WindowKey = tuple[str, str, str, datetime]  # indicator, area, window name, due at


def run_exercise(
    loaded: LoadedScript, channels: Mapping[str, tuple[str, ...]] | None = None
) -> ExerciseResult:
    """Run the whole script; ``channels`` maps a role to the channel kinds its holders
    chose (the web page reads them); any role not in it gets ``DEFAULT_CHANNELS``."""
    return _Run(loaded, channels or {}).run()


@dataclass(frozen=True)
class _Timed:
    at: datetime
    rank: int
    index: int
    entry: Entry


@dataclass
class _ProtocolRun:
    """A protocol running in the exercise: when its next review is due, which round."""

    protocol: Protocol
    started_at: datetime
    review_due: datetime | None
    round: int = 1


class _Run:
    """One run's private state; discarded when the result is returned."""

    def __init__(self, loaded: LoadedScript, channels: Mapping[str, tuple[str, ...]]) -> None:
        self.pack: Pack = loaded.pack
        self.script: ExerciseScript = loaded.script
        self.channels = channels
        self.tz = ZoneInfo(self.pack.schedule.timezone)
        self.start = self.script.starts_at
        self.table = compile_pack(self.pack)
        self.areas = self.script.areas or self.pack.area_ids
        self.area_names = {a.id: a.name for a in self.pack.organisation.areas}
        self.holds: dict[Cell, HoldState] = {}
        self.standing: dict[Cell, int] = {}
        self.declared: int | None = None
        self.org_level: int | None = None
        self.area_levels: dict[str, int] = {}
        self.cards: dict[cardbook.CardKey, cardbook.Card] = {}
        self.wakes: list[datetime] = []
        self.events: list[Event] = []
        self.wait = timedelta(minutes=self.pack.action_timers.escalate_after_minutes)
        self.protocol_runs: dict[str, _ProtocolRun] = {}
        self.cells = self._reporting_cells()
        self.reports: dict[Cell, list[datetime]] = {}
        self.report_states: dict[WindowKey, ReportState] = {}
        self.report_wakes: set[datetime] = set()

    # --- the clock ------------------------------------------------------------------------

    def run(self) -> ExerciseResult:
        inputs = self._inputs()
        self._wake(self.start)  # reports already due at the start are listed then
        end = self._end(inputs)
        i = 0
        while True:
            now = self._next(inputs, i)
            if now is None or now > end:
                break
            declared = False
            while i < len(inputs) and inputs[i].at == now:
                declared |= self._apply(inputs[i].entry, now)
                i += 1
            while self.wakes and self.wakes[0] <= now:
                heapq.heappop(self.wakes)
            self._settle(now, declared)
        return self._result(end)

    def _inputs(self) -> list[_Timed]:
        s = self.script
        entries: list[Entry] = [*s.readings, *s.declarations, *s.done]
        timed = [
            _Timed(e.at.resolve(self.start), _RANK[type(e)], n, e) for n, e in enumerate(entries)
        ]
        return sorted(timed, key=lambda t: (t.at, t.rank, t.index))

    def _end(self, inputs: list[_Timed]) -> datetime:
        """``until``, or a day after the last entry's longest hold could pass."""
        if self.script.until is not None:
            return self.script.until.resolve(self.start)
        longest = max(i.hold_hours for i in self.pack.indicators)
        last = inputs[-1].at if inputs else self.start
        return last + timedelta(hours=longest, days=1)

    def _next(self, inputs: list[_Timed], i: int) -> datetime | None:
        candidates = [inputs[i].at] if i < len(inputs) else []
        candidates += self.wakes[:1]
        return min(candidates, default=None)

    def _wake(self, at: datetime) -> None:
        heapq.heappush(self.wakes, at)

    # --- script entries -------------------------------------------------------------------

    def _apply(self, entry: Entry, now: datetime) -> bool:
        """Apply one entry; True when it was a declaration."""
        if isinstance(entry, ScriptReading):
            self._read(entry, now)
        elif isinstance(entry, ScriptDeclaration):
            self.declared = entry.level
            reason = f": {entry.reason}" if entry.reason else ""
            text = f"Level declared: {level_text(entry.level)}{reason}"
            self._add(
                now, Kind.DECLARATION, text, level=entry.level, colour=self._colour(entry.level)
            )
            return True
        else:
            self._done(entry, now)
        return False

    def _read(self, entry: ScriptReading, now: datetime) -> None:
        self.reports.setdefault((entry.indicator, entry.area), []).append(now)
        reading = Reading(entry.indicator, entry.area, entry.value, now)
        result = classify(self.pack, [reading], self.table)[0]
        name = self.pack.indicator(entry.indicator).name
        where = self.area_names[entry.area]
        text = f"{name}, {where}: {entry.value:g} ({level_text(result.level)})"
        self._add(
            now, Kind.READING, text, area=entry.area, level=result.level,
            colour=result.colour, detail="; ".join(result.warnings),
        )  # fmt: skip
        if result.level is None:
            return
        cell = (entry.indicator, entry.area)
        hours = self.pack.indicator(entry.indicator).hold_hours
        state = self.holds.get(cell, HoldState(timedelta(hours=hours)))
        state, _ = state.observe(now, result.level)
        self.holds[cell] = state
        self._wake(now + state.hold)
        self._note_hold(cell, state, result.level, now)

    def _note_hold(self, cell: Cell, state: HoldState, level: int, now: datetime) -> None:
        """A lower reading under a standing higher level: say until when it holds."""
        if state.standing is None or level >= state.standing:
            return
        window = list(state.window)
        last_high = max(n for n, (_, lvl) in enumerate(window) if lvl >= state.standing)
        until = window[last_high + 1][0] + state.hold
        name = self.pack.indicator(cell[0]).name
        text = (
            f"{name}, {self.area_names[cell[1]]}: reads {level_text(level)} but "
            f"{level_text(state.standing)} holds until {local_text(until, self.tz)} "
            f"({state.hold.total_seconds() / 3600:g} h hold)"
        )
        self._add(now, Kind.HOLD, text, area=cell[1], level=state.standing, due_at=until)

    def _done(self, entry: ScriptDone, now: datetime) -> None:
        found = [
            c
            for c in self.cards.values()
            if c.active
            and c.role_action.action.id == entry.action
            and (entry.area is None or c.area == entry.area)
        ]
        if not found:
            text = f"'{entry.action}' marked done, but it is not in force now: nothing to do"
            self._add(now, Kind.NOTE, text, area=entry.area, action=entry.action)
        for card in found:
            self._complete(card, entry, now)

    def _complete(self, card: cardbook.Card, entry: ScriptDone, now: datetime) -> None:
        met, closed = cardbook.complete(card, now)
        for deadline in met:
            late = " (late)" if deadline.due_at < now else ""
            text = f"Deadline met{late}: {self._card_text(card)}"
            self._card_event(card, now, Kind.DEADLINE_MET, text, due_at=deadline.due_at)
        if closed or not met:
            note = f" ({entry.note})" if entry.note else ""
            self._card_event(card, now, Kind.ACTION_DONE, f"Done{note}: {self._card_text(card)}")

    # --- levels ---------------------------------------------------------------------------

    def _settle(self, now: datetime, declared: bool) -> None:
        held = self._advance_holds(now)
        engine = engine_level(self.pack, held)
        acting = acting_level(engine, self.declared)
        moved: tuple[int | None, int] | None = None
        if acting is not None and acting != self.org_level:
            moved = (self.org_level, acting)
            self._org_change(acting, engine, declared, now)
        for area in self.areas:
            own = engine_level(self.pack, {c: lvl for c, lvl in held.items() if c[1] == area})
            level = acting_level(own, self.declared)
            if level is not None and level != self.area_levels.get(area):
                self._area_change(area, level, own, now)
        self._clocks(now)
        self._protocols(now, moved)
        self._report_clock(now)

    def _advance_holds(self, now: datetime) -> dict[Cell, int]:
        for cell, state in list(self.holds.items()):
            state, _ = state.advance(now)
            self.holds[cell] = state
            before = self.standing.get(cell)
            if state.standing is not None and before is not None and state.standing < before:
                name = self.pack.indicator(cell[0]).name
                text = (
                    f"Hold passed: {name}, {self.area_names[cell[1]]} steps down to "
                    f"{level_text(state.standing)}"
                )
                self._add(now, Kind.HOLD_ENDED, text, area=cell[1], level=state.standing)
            if state.standing is not None:
                self.standing[cell] = state.standing
        return dict(self.standing)

    def _org_change(self, acting: int, engine: int | None, declared: bool, now: datetime) -> None:
        before, self.org_level = self.org_level, acting
        source = "declaration" if declared and self.declared == acting else "indicators"
        org = self.pack.organisation.name
        words = "escalated" if before is None or acting > before else "stood down"
        text = f"{org} {words} from {level_text(before)} to {level_text(acting)} ({source})"
        detail = f"engine {level_text(engine)}, declared {level_text(self.declared)}"
        self._add(now, Kind.LEVEL, text, level=acting, colour=self._colour(acting), detail=detail)
        opened = self._move(before, acting, RoleScope.ORGANISATION, None, now)
        subject = f"{org} is now at {level_text(acting)} ({self._colour(acting)})"
        body = f"{text} at {local_text(now, self.tz)}."
        for role in self.pack.level_change_notify.get(acting, []):
            self._notify(now, role, subject, body, None)
        self._tell_holders(opened, acting, None, now)

    def _area_change(self, area: str, level: int, own: int | None, now: datetime) -> None:
        before, self.area_levels[area] = self.area_levels.get(area), level
        words = "escalated" if before is None or level > before else "stood down"
        text = f"{self.area_names[area]} {words} from {level_text(before)} to {level_text(level)}"
        detail = f"area's own level {level_text(own)}, declared {level_text(self.declared)}"
        self._add(
            now, Kind.LEVEL, text, area=area, level=level, colour=self._colour(level), detail=detail
        )
        opened = self._move(before, level, RoleScope.AREA, area, now)
        self._tell_holders(opened, level, area, now)

    def _move(
        self, before: int | None, after: int, scope: RoleScope, area: str | None, now: datetime
    ) -> list[cardbook.Card]:
        """Open the new level's actions and stand down the old level's, for ``scope``'s roles."""
        roles = self.pack.roles_scoped(scope)
        moved = transition(self.pack, before, after)
        for ra in moved.stood_down:
            card = self.cards.get((ra.role, ra.action.id, area))
            if card is not None and not card.stood_down:
                was = "" if card.active else " (it was done)"
                card.active, card.stood_down = False, True
                text = f"Stood down at {level_text(after)}{was}: {self._card_text(card)}"
                self._card_event(card, now, Kind.ACTION_STOOD_DOWN, text)
        return [self._open(ra, area, now) for ra in moved.started if ra.role in roles]

    def _open(self, ra: RoleAction, area: str | None, now: datetime) -> cardbook.Card:
        card = cardbook.open_card(ra, area, now, self.tz)
        self.cards[card.key] = card
        due = card.deadlines[0].due_at if card.deadlines else None
        if due is not None:
            self._wake(due)
        text = f"Opened (OPEL {ra.level} action): {self._card_text(card)}"
        self._card_event(card, now, Kind.ACTION_OPENED, text, due_at=due)
        return card

    def _tell_holders(
        self, opened: list[cardbook.Card], level: int, area: str | None, now: datetime
    ) -> None:
        where = self._where(area)
        by_role: dict[str, list[cardbook.Card]] = {}
        for card in opened:
            by_role.setdefault(card.role_action.role, []).append(card)
        for role, cards in by_role.items():
            subject = f"{len(cards)} new action(s) for you at {level_text(level)}: {where}"
            body = "\n".join(f"- {self._due_line(c)}" for c in cards)
            self._notify(now, role, subject, body, area)

    # --- deadlines ------------------------------------------------------------------------

    def _clocks(self, now: datetime) -> None:
        for card in list(self.cards.values()):
            if not card.active:
                continue
            for deadline in cardbook.newly_missed(card, now):
                self._missed(card, deadline.due_at)
            for deadline in cardbook.to_escalate(card, now, self.wait):
                self._escalate(card, deadline.due_at + self.wait, deadline.due_at)
            added = cardbook.add_daily(card, now, self.tz)
            if added is not None:
                self._wake(added.due_at)

    def _missed(self, card: cardbook.Card, due: datetime) -> None:
        text = f"Deadline missed: {self._card_text(card)}"
        self._card_event(card, due, Kind.DEADLINE_MISSED, text, due_at=due)
        self._wake(due + self.wait)
        subject = f"Overdue: {card.role_action.action.text[:80]}"
        body = f"Due {local_text(due, self.tz)} at {self._where(card.area)}."
        self._notify(due, card.role_action.role, subject, body, card.area)

    def _escalate(self, card: cardbook.Card, at: datetime, due: datetime) -> None:
        role = card.role_action.role
        above = next((r.escalates_to for r in self.pack.roles if r.id == role), None)
        to = above or "no role above in the plan: not sent on"
        text = f"Escalated to {to}: {self._card_text(card)}"
        self._card_event(card, at, Kind.ESCALATED, text, due_at=due)
        if above is not None:
            subject = f"Escalated: {role} has not done '{card.role_action.action.text[:60]}'"
            body = f"Due {local_text(due, self.tz)} at {self._where(card.area)} and still not done."
            self._notify(at, above, subject, body, card.area)

    # --- protocols ------------------------------------------------------------------------

    def _protocols(self, now: datetime, moved: tuple[int | None, int] | None) -> None:
        """Reviews that have come, then protocols the level now starts (``moved``: the
        organisation's level change at this moment, before and after, if any)."""
        for run in list(self.protocol_runs.values()):
            if run.review_due is not None and run.review_due <= now:
                self._review(run, run.review_due)
        for protocol in self.pack.protocols:
            if protocol.id not in self.protocol_runs and self._starts(protocol, moved):
                self._start_protocol(protocol, now)

    def _starts(self, protocol: Protocol, moved: tuple[int | None, int] | None) -> bool:
        if protocol.activation == "automatic":
            return moved is not None and protocol_rules.starts_automatically(protocol, *moved)
        return protocol_rules.may_start_at(protocol, self.org_level)

    def _start_protocol(self, protocol: Protocol, now: datetime) -> None:
        in_hours = protocol_rules.in_office_hours(protocol, now, self.tz)
        run = _ProtocolRun(protocol, now, None)
        self.protocol_runs[protocol.id] = run
        how = "automatic" if protocol.activation == "automatic" else (
            "manual: taken as started by its owner as soon as the level allows"
        )  # fmt: skip
        hours = "in hours" if in_hours else "out of hours"
        text = f"Protocol started at {level_text(self.org_level)}, {hours}: {protocol.name}"
        level, colour = self.org_level, self._colour(self.org_level)
        self._add(
            now, Kind.PROTOCOL_STARTED, text, role=protocol.owner_role, level=level,
            colour=colour, action=protocol.id, detail=how,
        )  # fmt: skip
        self._round(run, list(protocol.steps), now)

    def _round(self, run: _ProtocolRun, steps: list[ProtocolStep], now: datetime) -> None:
        in_hours = protocol_rules.in_office_hours(run.protocol, now, self.tz)
        hours = "in hours" if in_hours else "out of hours"
        for card in protocol_rules.round_cards(run.protocol, steps, now, in_hours):
            if card.review_due_at is not None:
                run.review_due = card.review_due_at
                self._wake(card.review_due_at)
            text = f"Round {run.round}, {hours}: {card.role}: {card.text}"
            self._add(
                now, Kind.PROTOCOL_STEP, text, role=card.role, action=card.action_id,
                due_at=card.review_due_at,
            )  # fmt: skip

    def _review(self, run: _ProtocolRun, due: datetime) -> None:
        """Step (c) at its due time: pressure remains while the level is still the
        protocol's; then (a) and (b) repeat and the next review is set, else it stops."""
        protocol = run.protocol
        level = self.org_level
        if protocol_rules.may_start_at(protocol, level):
            run.round += 1
            text = (
                f"Review: pressure remains ({level_text(level)}), steps repeated: {protocol.name}"
            )
            self._add(
                due, Kind.PROTOCOL_REVIEW, text, role=protocol.owner_role, level=level,
                colour=self._colour(level), action=protocol.id, due_at=due,
            )  # fmt: skip
            self._round(run, protocol_rules.repeated_steps(protocol), due)
            run.review_due = protocol_rules.next_review(protocol, due, due)
            self._wake(run.review_due)
            return
        text = f"Review: pressure eased ({level_text(level)}): {protocol.name}"
        self._add(
            due, Kind.PROTOCOL_REVIEW, text, role=protocol.owner_role, level=level,
            colour=self._colour(level), action=protocol.id, due_at=due,
        )  # fmt: skip
        text = (
            f"Protocol stopped after {run.round} round(s), step cards stood down: {protocol.name}"
        )
        self._add(due, Kind.PROTOCOL_STOPPED, text, role=protocol.owner_role, action=protocol.id)
        del self.protocol_runs[protocol.id]

    # --- reporting deadlines ------------------------------------------------------------------

    def _reporting_cells(self) -> list[Cell]:
        reported = {(r.indicator, r.area) for r in self.script.readings}
        return [c for c in monitored_cells(self.pack) if c in reported and c[1] in self.areas]

    def _report_clock(self, now: datetime) -> None:
        """Each monitored cell against the level's reporting windows (core.schedule)."""
        schedule = self.pack.schedule
        due: dict[tuple[str, str, datetime], list[str]] = {}
        for cell in self.cells:
            for status in windows_at(schedule, self.org_level, self.reports.get(cell, []), now):
                if status.deadline.due_at < self.start:
                    continue  # no evidence before the script starts
                if self._report_moved(cell, status, now):
                    d = status.deadline
                    due.setdefault((cell[1], d.window_name, d.due_at), []).append(cell[0])
        for (area, window, due_at), indicators in due.items():
            self._reports_due(area, window, due_at, indicators, now)
        self._plan_report_wakes(now)

    def _report_moved(self, cell: Cell, status: WindowStatus, now: datetime) -> bool:
        """Record the window's new state; True when it has just become due."""
        d = status.deadline
        key = (cell[0], cell[1], d.window_name, d.due_at)
        before = self.report_states.get(key)
        state = status.state
        if state == before:
            return False
        self.report_states[key] = state
        if state == ReportState.DUE:
            return before is None
        if state == ReportState.LATE and before in (None, ReportState.DUE):
            at = d.due_at if before is not None else now
            self._report_overdue(cell, status, Kind.REPORT_LATE, at)
        elif state == ReportState.MISSING and before != ReportState.MISSING:
            at = d.grace_ends_at if before is not None else now
            self._report_overdue(cell, status, Kind.REPORT_MISSING, at)
        return False

    def _reports_due(
        self, area: str, window: str, due_at: datetime, indicators: list[str], now: datetime
    ) -> None:
        names = [self.pack.indicator(i).name for i in indicators]
        text = (
            f"{len(names)} report(s) due by {local_text(due_at, self.tz)} ({window}), "
            f"{self.area_names[area]} at {level_text(self.org_level)}"
        )
        self._add(now, Kind.REPORT_DUE, text, area=area, due_at=due_at, detail="; ".join(names))

    def _report_overdue(self, cell: Cell, status: WindowStatus, kind: Kind, at: datetime) -> None:
        indicator = self.pack.indicator(cell[0])
        where = self.area_names[cell[1]]
        d = status.deadline
        late = kind is Kind.REPORT_LATE
        if late:
            text = (
                f"No report by the deadline: {indicator.name}, {where} ({d.window_name}); "
                f"late until {local_text(d.grace_ends_at, self.tz)}"
            )
        else:
            text = f"Report missing: {indicator.name}, {where} ({d.window_name}), grace passed"
        self._add(
            at, kind, text, area=cell[1], due_at=d.due_at, indicator=indicator.id,
            level=self.org_level, colour=self._colour(self.org_level),
        )  # fmt: skip
        # The live worker's reminder (surgewatch.web.actions.clocks): late to the
        # reporters in the area, missing to the roles above them.
        what = "late" if late else "missing"
        subject = f"{indicator.name} for {where} is {what}"
        body = (
            f"{d.window_name} was due {local_text(d.due_at, self.tz)}; "
            f"no report for {indicator.name} in {where} yet."
        )
        for role in reminder_roles(self.pack, indicator, status.state):
            self._notify(at, role, subject, body, cell[1] if late else None)

    def _plan_report_wakes(self, now: datetime) -> None:
        """Look again when today's and tomorrow's windows open, fall due and run out."""
        today = now.astimezone(self.tz).date()
        for day in (today, today + timedelta(days=1)):
            for d in deadlines_on(self.pack.schedule, self.org_level, day):
                for at in (d.opens_at, d.due_at + _JUST_AFTER, d.grace_ends_at + _JUST_AFTER):
                    if at > now and at not in self.report_wakes:
                        self.report_wakes.add(at)
                        self._wake(at)

    # --- output ---------------------------------------------------------------------------

    def _notify(self, at: datetime, role: str, subject: str, body: str, area: str | None) -> None:
        for channel in self.channels.get(role) or DEFAULT_CHANNELS:
            self._add(
                at, Kind.NOTIFICATION, subject, area=area, role=role, channel=channel, detail=body
            )

    def _card_event(
        self, card: cardbook.Card, at: datetime, kind: Kind, text: str,
        due_at: datetime | None = None,
    ) -> None:  # fmt: skip
        ra = card.role_action
        self._add(
            at, kind, text, area=card.area, role=ra.role, level=ra.level,
            colour=self._colour(ra.level), action=ra.action.id, due_at=due_at,
        )  # fmt: skip

    def _add(self, at: datetime, kind: Kind, text: str, **fields: object) -> None:
        self.events.append(Event(at, kind, text, **fields))  # type: ignore[arg-type]

    def _card_text(self, card: cardbook.Card) -> str:
        return f"{card.role_action.role} ({self._where(card.area)}): {card.role_action.action.text}"

    def _due_line(self, card: cardbook.Card) -> str:
        due = card.deadlines[0].due_at if card.deadlines else None
        when = f" (due {local_text(due, self.tz)})" if due else ""
        return card.role_action.action.text + when

    def _where(self, area: str | None) -> str:
        org = self.pack.organisation.name
        return f"{self.area_names[area]}, {org}" if area else org

    def _colour(self, level: int | None) -> str:
        return self.pack.colours[level] if level is not None else "grey"

    def _result(self, end: datetime) -> ExerciseResult:
        s = self.script
        # Stable: events at one instant keep the order they happened in.
        events = tuple(sorted(self.events, key=lambda e: e.at))
        return ExerciseResult(
            s.title, self.pack.id, self.pack.version, s.illustrative or self.pack.illustrative,
            s.note, self.pack.schedule.timezone, self.start, end, events,
        )  # fmt: skip
