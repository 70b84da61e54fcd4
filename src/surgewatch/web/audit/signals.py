"""Entries for single-row writes: ``save()``, ``delete()`` and many-to-many edits.

Connected per audited model in ``AuditConfig.ready``, so unaudited models
(sessions, axes) keep Django's fast delete path. ``pre_save`` reads the
stored row, ``post_save`` compares; a save that changes nothing writes no
entry, since nothing changed state.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from surgewatch.web.audit import capture
from surgewatch.web.audit.models import AuditAction

_BEFORE = "_audit_before"
_M2M_BEFORE = "_audit_m2m_before"


def connect() -> None:
    for model in capture.audited_models():
        uid = model._meta.label_lower
        pre_save.connect(_before_save, sender=model, weak=False, dispatch_uid=f"audit-pre-{uid}")
        post_save.connect(_after_save, sender=model, weak=False, dispatch_uid=f"audit-post-{uid}")
        post_delete.connect(_deleted, sender=model, weak=False, dispatch_uid=f"audit-del-{uid}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            assert through is not None  # Django makes one when the field names none
            m2m_uid = f"audit-m2m-{through._meta.label_lower}"
            m2m_changed.connect(_m2m, sender=through, weak=False, dispatch_uid=m2m_uid)


def _before_save(
    sender: type[models.Model], instance: models.Model, raw: bool, using: str, **kwargs: Any
) -> None:
    if raw or instance._state.adding or instance.pk is None:
        return
    names = kwargs.get("update_fields")
    stored = capture.stored_values(sender, [instance.pk], using, names)
    setattr(instance, _BEFORE, stored.get(instance.pk))


def _after_save(
    sender: type[models.Model],
    instance: models.Model,
    created: bool,
    raw: bool,
    using: str,
    **kwargs: Any,
) -> None:
    # A raw save is a fixture load or restore, which brings its own entries.
    if raw:
        return
    before = instance.__dict__.pop(_BEFORE, None)
    names = kwargs.get("update_fields")
    if created or before is None:
        made = capture.entry(
            sender, instance.pk, AuditAction.CREATED, after=capture.values_of(instance)
        )
        capture.write([made], using)
        return
    old, new = capture.changed(before, capture.values_of(instance, names))
    if new:
        capture.write(
            [capture.entry(sender, instance.pk, AuditAction.CHANGED, before=old, after=new)], using
        )


def _deleted(sender: type[models.Model], instance: models.Model, using: str, **kwargs: Any) -> None:
    before = capture.values_of(instance)
    capture.write([capture.entry(sender, instance.pk, AuditAction.DELETED, before=before)], using)


def _m2m(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    reverse: bool,
    using: str,
    **kwargs: Any,
) -> None:
    """``user.groups.add(...)`` and the like: the field's ids before and after."""
    field = _m2m_field(sender, instance, reverse)
    if field is None:
        return
    if action.startswith("pre_"):
        setattr(instance, _M2M_BEFORE, _ids(instance, field))
        return
    before = instance.__dict__.pop(_M2M_BEFORE, None)
    after = _ids(instance, field)
    if before is not None and before != after and capture.is_audited(type(instance)):
        made = capture.entry(
            type(instance),
            instance.pk,
            AuditAction.CHANGED,
            before={field: before},
            after={field: after},
        )
        capture.write([made], using)


def _m2m_field(through: type[models.Model], instance: models.Model, reverse: bool) -> str | None:
    """The accessor on ``instance`` that goes through ``through``."""
    for field in type(instance)._meta.get_fields():
        if isinstance(field, models.ManyToManyField) and not reverse:
            if field.remote_field.through is through:
                return field.name
        elif isinstance(field, models.ManyToManyRel) and reverse and field.through is through:
            return field.get_accessor_name()
    return None


def _ids(instance: models.Model, accessor: str) -> list[object]:
    return sorted(getattr(instance, accessor).values_list("pk", flat=True))
