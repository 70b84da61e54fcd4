"""Forms for the notification pages; the rules behind them live in ``targets`` and the services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from surgewatch.web.notify.models import CHANNEL_KINDS, Channel, Status
from surgewatch.web.notify.targets import clean_target
from surgewatch.web.orgs.models import Membership


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of channel",
        choices=[(kind.value, kind.label) for kind in CHANNEL_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a kind of channel."},
    )
    target = forms.CharField(
        label="Where to send",
        max_length=500,
        help_text=(
            "An email address; a UK mobile number for text messages (like 07700 900123); "
            "or the webhook address your Teams or Slack channel or other system gives you "
            "(https://...)."
        ),
        error_messages={"required": "Enter where messages should go."},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        kind, target = data.get("kind"), data.get("target")
        if isinstance(kind, str) and isinstance(target, str):
            try:
                data["target"] = clean_target(kind, target)
            except ValidationError as error:
                self.add_error("target", error)
        return data


class PreferencesForm(forms.Form):
    """One group of boxes per role membership, one box per channel (issue 4)."""

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        memberships: list[tuple[Membership, str]],
        channels: list[Channel],
        chosen: dict[int, list[int]],
    ) -> None:
        super().__init__(data)
        options = [(str(c.pk), str(c)) for c in channels]
        for membership, name in memberships:
            self.fields[field_name(membership)] = forms.MultipleChoiceField(
                label=name,
                choices=options,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=[str(pk) for pk in chosen.get(membership.pk, [])],
            )
        self.memberships = [m for m, _ in memberships]

    def choices(self) -> dict[int, list[int]]:
        """Channel ids ticked for each membership id; call after ``is_valid``."""
        return {
            m.pk: [int(pk) for pk in self.cleaned_data.get(field_name(m), [])]
            for m in self.memberships
        }


def field_name(membership: Membership) -> str:
    return f"membership_{membership.pk}"


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Status.choices], required=False
    )
