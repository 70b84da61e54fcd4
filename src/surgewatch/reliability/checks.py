"""After the faults: count what is stored against what the clients were told (issue 8).

Each count is a number that should be zero (lost, duplicated, behind) or
equal to another (acknowledged = stored exactly once). The expectations come
from the acknowledged calls and from the pack's own rules, through the same
core functions the app uses: the cards in force follow the acting level
(``core.actions.actions_at``), and each recorded level change tells the roles
in ``level_change_notify`` and the holders of the cards it opened
(seed 000, sections 7 and 8).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count

from surgewatch.core.actions import actions_at, transition
from surgewatch.core.pack import Pack, RoleScope
from surgewatch.reliability.client import Call, Ledger
from surgewatch.web.actions.levels import levels_now
from surgewatch.web.actions.models import ActionCard, CardSource, LevelChange
from surgewatch.web.escalation.models import Declaration
from surgewatch.web.notify.models import Message, Status
from surgewatch.web.orgs.models import Membership, Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.reporting.models import Reading

Cell = tuple[str, str, str, str]  # organisation, area, indicator, observed_at (ISO)
Expected = tuple[int, str]  # recipient id, event key


@dataclass
class Counts:
    """The figures a run prints; ``problems`` lists every count that is not as it should be."""

    figures: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def expect(self, name: str, value: int, should_be: int) -> None:
        self.figures[name] = value
        if value != should_be:
            self.problems.append(f"{name} is {value}, should be {should_be}")


def readings_stored(ledger: Ledger, counts: Counts) -> None:
    """Every acknowledged reading is stored once; the given-up ones at most once."""
    stored = _stored_cells()
    acked = _cells(ledger.acknowledged.values(), "readings")
    given_up = _cells(ledger.given_up.values(), "readings")
    submissions = [c for c in ledger.acknowledged.values() if c.kind == "readings"]
    counts.figures["reading submissions acknowledged"] = len(submissions)
    counts.figures["readings acknowledged"] = len(acked)
    counts.expect(
        "acknowledged readings stored exactly once", sum(stored[c] == 1 for c in acked), len(acked)
    )
    counts.expect("acknowledged readings lost", sum(stored[c] == 0 for c in acked), 0)
    counts.expect("readings stored more than once", sum(n > 1 for n in stored.values()), 0)
    counts.figures["unacknowledged readings (given up) stored"] = sum(stored[c] for c in given_up)
    planned = acked | given_up | _cells((c for c, _, _ in ledger.refused.values()), "readings")
    counts.expect("stored readings nobody sent", sum(1 for c in stored if c not in planned), 0)


def _cells(calls: Iterable[Call], kind: str) -> set[Cell]:
    out = set()
    for call in calls:
        if call.kind == kind and call.body is not None:
            for row in json.loads(call.body)["readings"]:
                observed = datetime.fromisoformat(row["observed_at"]).isoformat()
                out.add((row["organisation"], row["area"], row["indicator"], observed))
    return out


def _stored_cells() -> Counter[Cell]:
    rows = (
        Reading.objects.filter(area__organisation__slug__startswith="load-")
        .values_list("area__organisation__slug", "area__slug", "indicator", "observed_at")
        .annotate(n=Count("pk"))
    )
    return Counter({(o, a, i, t.isoformat()): n for o, a, i, t, n in rows})


def declarations_stored(ledger: Ledger, counts: Counts) -> None:
    reasons = [
        json.loads(c.body or b"{}")["reason"]
        for c in ledger.acknowledged.values()
        if c.kind == "declaration"
    ]
    found = Counter(Declaration.objects.filter(reason__in=reasons).values_list("reason", flat=True))
    counts.figures["declarations acknowledged"] = len(reasons)
    counts.expect(
        "acknowledged declarations stored exactly once",
        sum(found[r] == 1 for r in reasons),
        len(reasons),
    )


def levels_and_cards(now: datetime, counts: Counts) -> None:
    """The last recorded level is the acting level now, and the cards in force are its actions."""
    behind = lost = extra = doubled = 0
    for org in _load_organisations():
        pack = pack_of(org.framework)
        acting = levels_now(org, pack, now).acting
        last = (
            LevelChange.objects.filter(organisation=org, area__isnull=True)
            .order_by("-at", "-pk")
            .first()
        )
        behind += int((last.to_level if last else None) != acting)
        want = _expected_cards(pack, acting)
        have = Counter(
            ActionCard.objects.filter(organisation=org, area__isnull=True, source=CardSource.PACK)
            .in_force()
            .values_list("role", "action_id")
        )
        lost += len(want - set(have))
        extra += len(set(have) - want)
        doubled += sum(n - 1 for n in have.values() if n > 1)
    counts.figures["level changes recorded"] = LevelChange.objects.filter(
        organisation__slug__startswith="load-", area__isnull=True
    ).count()
    counts.expect("organisations whose recorded level is behind", behind, 0)
    counts.expect("action cards missing", lost, 0)
    counts.expect("action cards in force that should not be", extra, 0)
    counts.expect("action cards duplicated", doubled, 0)


def _expected_cards(pack: Pack, level: int | None) -> set[tuple[str, str]]:
    if level is None:
        return set()
    roles = pack.roles_scoped(RoleScope.ORGANISATION)
    return {(ra.role, ra.action.id) for ra in actions_at(pack, level) if ra.role in roles}


def _load_organisations() -> list[Organisation]:
    return list(Organisation.objects.filter(slug__startswith="load-").select_related("framework"))


def notifications(counts: Counts, received: Counter[tuple[str, str]]) -> None:
    """Each level change's messages exist once, were sent, and arrived once."""
    expected = _expected_messages()
    made = Counter(
        Message.objects.filter(
            organisation__slug__startswith="load-", event_key__startswith="level-change:"
        ).values_list("recipient_id", "event_key")
    )
    counts.figures["level-change messages expected"] = len(expected)
    counts.expect("level-change messages missing", len(expected - set(made)), 0)
    counts.expect("level-change messages nobody expected", len(set(made) - expected), 0)
    counts.expect(
        "messages duplicated in the outbox", sum(n - 1 for n in made.values() if n > 1), 0
    )
    mine = Message.objects.filter(organisation__slug__startswith="load-")
    by_status = Counter(mine.values_list("status", flat=True))
    counts.figures["messages sent"] = by_status[Status.SENT]
    counts.expect(
        "messages still waiting (worker behind)",
        by_status[Status.QUEUED] + by_status[Status.RETRYING],
        0,
    )
    counts.expect("messages failed", by_status[Status.FAILED], 0)
    arrived = sum(received.values())
    counts.expect("messages arrived at the receivers", arrived, by_status[Status.SENT])
    counts.expect(
        "messages arrived more than once", sum(n - 1 for n in received.values() if n > 1), 0
    )


def _expected_messages() -> set[Expected]:
    holders = _holders()
    out: set[Expected] = set()
    changes = LevelChange.objects.filter(organisation__slug__startswith="load-", area__isnull=True)
    for change in changes.select_related("organisation__framework"):
        pack = pack_of(change.organisation.framework)
        org_holders = holders[change.organisation_id]
        for role in pack.level_change_notify.get(change.to_level, []):
            out |= {(user, f"level-change:{change.pk}") for user in org_holders.get(role, [])}
        roles = pack.roles_scoped(RoleScope.ORGANISATION)
        started = {ra.role for ra in transition(pack, change.from_level, change.to_level).started}
        for role in started & roles:
            out |= {(user, f"level-change:{change.pk}:cards") for user in org_holders.get(role, [])}
    return out


def _holders() -> dict[int, dict[str, list[int]]]:
    out: dict[int, dict[str, list[int]]] = {}
    found = Membership.objects.filter(organisation__slug__startswith="load-")
    for org_id, role, user_id in found.values_list("organisation_id", "role", "user_id"):
        out.setdefault(org_id, {}).setdefault(role, []).append(user_id)
    return out
