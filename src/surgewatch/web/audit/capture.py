"""Turning writes into entries: which models are audited, their field values as
JSON, and the entries themselves, written in the writer's own transaction.

A rolled-back change leaves no entry, because the entry is written by the
same connection inside the same transaction as the change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from surgewatch.web.audit import context
from surgewatch.web.audit.models import AuditAction, AuditEntry, AuditVia

# Not audited: the log itself, and Django's own bookkeeping (sessions, content
# types, permissions made by migrate, the admin's own history). django-axes'
# login attempts and huey's task storage live outside the project's apps.
# Current readings are a derived index (which reading stands in each cell),
# rewritten from the readings in the same transaction; the readings are on the
# log, and logging the index as well cost 9% of ingest throughput. Taking the
# label out of this set audits it (bulk.py's wrapper of the raw UPDATE is ready).
_NOT_AUDITED = frozenset({"audit.auditentry", "auth.permission", "reporting.currentreading"})
# Credentials, and webhook URLs that carry their own secret, are kept as a
# fingerprint: a change still shows, the value never leaves the database.
_SECRET_FIELDS = frozenset({"password", "key_sha256"})
_SECRET_MODEL_FIELDS = frozenset({("notify.channel", "target"), ("notify.message", "target")})
Values = dict[str, Any]


@cache
def is_audited(model: type[models.Model]) -> bool:
    """Models of Surgewatch's own apps, plus auth groups (users are ``accounts.User``)."""
    meta = model._meta
    if meta.label_lower in _NOT_AUDITED or model.__module__ == "__fake__":
        return False  # __fake__: a migration's historical model, before the log exists
    if meta.auto_created:
        return False  # many-to-many link rows: recorded on the row that owns the field
    name = apps.get_app_config(meta.app_label).name
    return name.startswith("surgewatch.") or meta.label_lower == "auth.group"


def audited_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models(include_auto_created=False) if is_audited(m)]


def fields_of(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.Field)]


def values_of(instance: models.Model, names: Iterable[str] | None = None) -> Values:
    """The instance's field values, keyed by field name (foreign keys as ids)."""
    wanted = set(names) if names is not None else None
    return {
        f.name: f.to_python(f.value_from_object(instance))
        for f in fields_of(type(instance))
        if wanted is None or f.name in wanted or f.attname in wanted
    }


def stored_values(
    model: type[models.Model], pks: Iterable[object], using: str, names: Iterable[str] | None = None
) -> dict[object, Values]:
    """Rows as the database holds them now, keyed by primary key."""
    wanted = set(names) if names is not None else None
    fields = [
        f
        for f in fields_of(model)
        if wanted is None or f.name in wanted or f.attname in wanted or f.primary_key
    ]
    rows = model._base_manager.using(using).filter(pk__in=list(pks))
    columns = [f.attname for f in fields]
    return {
        row[model._meta.pk.attname]: {f.name: row[f.attname] for f in fields}
        for row in rows.values(*columns)
    }


def changed(before: Values, after: Values) -> tuple[Values, Values]:
    """Only the fields whose value differs; both sides empty when nothing changed."""
    keys = [k for k in after if k in before and before[k] != after[k]]
    return {k: before[k] for k in keys}, {k: after[k] for k in keys}


def entry(
    model: type[models.Model],
    pk: object,
    action: AuditAction,
    *,
    before: Values | None = None,
    after: Values | None = None,
    via: AuditVia = AuditVia.SAVE,
    who: context.Who | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """An unsaved entry; values are made JSON-safe and secrets fingerprinted."""
    who = who or context.current()
    label = model._meta.label_lower
    return AuditEntry(
        at=at or timezone.now(),
        actor=who.label[:200],
        user_id=who.user_id,
        token_id=who.token_id,
        action=action,
        model=label,
        object_id=str(pk),
        before=_jsonable(label, before),
        after=_jsonable(label, after),
        via=via,
        request_method=who.method,
        request_path=who.path,
    )


def viewed(instances: Iterable[models.Model]) -> None:
    """Record that the current actor read ``instances`` (patient-level records only:
    every other read is unremarkable, and logging them all would bury these)."""
    instances = list(instances)
    if instances:
        rows = [entry(type(i), i.pk, AuditAction.VIEWED) for i in instances]
        write(rows, instances[0]._state.db or "default")


def write(entries: list[AuditEntry], using: str) -> None:
    """Store entries in one statement (a bulk insert is never audited itself)."""
    if entries:
        AuditEntry.objects.using(using).bulk_create(entries)


def _jsonable(label: str, values: Mapping[str, Any] | None) -> Values | None:
    if values is None:
        return None
    plain = {k: _plain(v) for k, v in values.items()}
    for name in plain:
        if name in _SECRET_FIELDS or (label, name) in _SECRET_MODEL_FIELDS:
            plain[name] = _fingerprint(plain[name])
    # One round trip through the encoder, so what is compared in tests is what is stored.
    loaded: Values = json.loads(json.dumps(plain, cls=DjangoJSONEncoder))
    return loaded


def _plain(value: Any) -> Any:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return value.astimezone(UTC)  # one spelling for one instant
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def _fingerprint(value: Any) -> str | None:
    if value in (None, ""):
        return value  # type: ignore[no-any-return]
    digest = hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:12]
    return f"redacted sha256:{digest}"
