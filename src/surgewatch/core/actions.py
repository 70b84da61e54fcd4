"""Who does what at each level: resolving a pack's actions per role."""

from __future__ import annotations

from dataclasses import dataclass

from surgewatch.core.pack import Action, Pack


@dataclass(frozen=True)
class RoleAction:
    """An action as one role carries it, with the level whose entry defines it."""

    role: str
    level: int
    action: Action

    @property
    def key(self) -> tuple[str, str]:
        return (self.role, self.action.id)


def actions_for(pack: Pack, role: str, level: int) -> list[RoleAction]:
    """Every action ``role`` carries at ``level``, inherited ones first.

    'Continue with Level Two and Three Actions' (seed 000, section 8 table) is
    ``continue_levels: [2, 3]``; inheritance is followed transitively, so a
    level 4 that continues level 3, which continues level 2, carries all three.
    """
    levels = pack.actions.get(role)
    if levels is None or level not in levels:
        return []
    seen: dict[tuple[str, str], RoleAction] = {}
    for lvl in _levels_in_force(pack, role, level):
        for action in levels[lvl].actions:
            seen.setdefault((role, action.id), RoleAction(role, lvl, action))
    return list(seen.values())


def _levels_in_force(pack: Pack, role: str, level: int) -> list[int]:
    """``level`` and every level it continues, lowest first."""
    found: set[int] = set()
    stack = [level]
    while stack:
        lvl = stack.pop()
        if lvl in found:
            continue
        found.add(lvl)
        stack.extend(pack.actions[role][lvl].continue_levels)
    return sorted(found)


def actions_at(pack: Pack, level: int) -> list[RoleAction]:
    """Every role's actions at ``level``, in the pack's role order."""
    return [ra for role in pack.actions for ra in actions_for(pack, role, level)]


@dataclass(frozen=True)
class Transition:
    """What starts and what stands down when the level moves."""

    from_level: int | None
    to_level: int | None
    started: tuple[RoleAction, ...]
    stood_down: tuple[RoleAction, ...]


def transition(pack: Pack, from_level: int | None, to_level: int | None) -> Transition:
    """Actions that start and stand down when moving between two levels.

    An action carried at both levels (inherited, say) neither starts nor stands down.
    """
    before = {ra.key: ra for ra in actions_at(pack, from_level)} if from_level else {}
    after = {ra.key: ra for ra in actions_at(pack, to_level)} if to_level else {}
    started = tuple(ra for key, ra in after.items() if key not in before)
    stood_down = tuple(ra for key, ra in before.items() if key not in after)
    return Transition(from_level, to_level, started, stood_down)


def checklist_for(pack: Pack, level: int) -> list[str]:
    """The de-escalation checklist for one level (seed 000, Appendix 3)."""
    return [item.text for item in pack.deescalation_checklist if level in item.levels]
