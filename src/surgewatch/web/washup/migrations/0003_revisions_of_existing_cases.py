"""One revision for each case saved before revisions began: its values as they stand.

The earlier values of such a case are on the audit log only; the note says so. The
revision names who last saved the case (the audit log's latest created or changed
entry with a user), else the person who added it.
"""

from typing import Any

from django.db import migrations

NOTE = (
    "Carried over when the case history began: the case as it stood then. "
    "Earlier changes are in the audit log."
)
REVISED_FIELDS = (
    "reference",
    "hospital",
    "ward",
    "ideal_outcome",
    "expected_outcome",
    "blocker",
    "blocker_detail",
    "action",
    "action_owner",
    "action_deadline",
    "action_done_on",
    "review_date",
    "fit_for_discharge_on",
    "delay_attribution",
    "discharge_date",
    "actual_outcome",
    "closed_at",
)


def _last_saved_by(apps: Any, case: Any) -> int:
    entries = apps.get_model("audit", "AuditEntry").objects.filter(
        model="washup.washupcase",
        object_id=str(case.pk),
        action__in=("created", "changed"),
        user_id__isnull=False,
    )
    latest = entries.order_by("-at", "-pk").values_list("user_id", flat=True).first()
    users = apps.get_model("accounts", "User").objects
    found: int = latest if latest and users.filter(pk=latest).exists() else case.created_by_id
    return found


def carry_over(apps: Any, schema_editor: Any) -> None:
    cases = apps.get_model("washup", "WashupCase").objects.filter(revisions__isnull=True)
    revision = apps.get_model("washup", "WashupCaseRevision")
    made = [
        revision(
            case=case,
            number=1,
            recorded_at=case.updated_at,
            recorded_by_id=_last_saved_by(apps, case),
            note=NOTE,
            **{name: getattr(case, name) for name in REVISED_FIELDS},
        )
        for case in cases.order_by("pk")
    ]
    revision.objects.bulk_create(made)


class Migration(migrations.Migration):
    dependencies = [
        ("washup", "0002_case_revisions"),
        ("audit", "0002_viewed_action"),
    ]

    # Backwards keeps nothing to undo: reversing 0002 drops the revisions' table.
    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
