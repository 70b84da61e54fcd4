"""Forms for governance pages. They parse what was sent; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from surgewatch.web.governance.models import (
    DocumentVersion,
    ExerciseKindChoice,
    PackRevision,
    SignOffMeeting,
)
from surgewatch.web.orgs.models import Organisation

MAX_PACK_BYTES = 1_000_000  # the Kent pack is about 60 kB; this bounds a wrong upload


class PackForm(forms.Form):
    """A pack pasted into the text area or uploaded (the upload wins), and its summary."""

    yaml_text = forms.CharField(
        label="Pack file (YAML)",
        help_text="The whole pack, as 'surgewatch framework validate' reads it. Raise its "
        "'version:' for every change: a version always names one text.",
        required=False,
        strip=False,
        max_length=MAX_PACK_BYTES,
        widget=forms.Textarea,
    )
    upload = forms.FileField(
        label="Or upload a pack file",
        help_text="A .yaml file; it replaces the text above.",
        required=False,
    )
    summary = forms.CharField(
        label="Summary of changes",
        help_text="Kept with the version, as in the plan's version control table.",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "say what this version changes; fix: write a summary"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("upload")
        if upload is not None:
            cleaned["text"], cleaned["filename"] = self._read(upload), upload.name[-255:]
            cleaned["source"] = "upload"
        elif (cleaned.get("yaml_text") or "").strip():
            cleaned["text"], cleaned["filename"], cleaned["source"] = (
                cleaned["yaml_text"],
                "",
                "yaml_text",
            )
        elif "yaml_text" not in self.errors:
            self.add_error("yaml_text", "the pack is empty; fix: paste the pack or upload a file")
        return cleaned

    def _read(self, upload: Any) -> str:
        if upload.size > MAX_PACK_BYTES:
            raise ValidationError(
                {"upload": f"the file is over {MAX_PACK_BYTES:,} bytes; fix: upload the pack"}
            )
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise ValidationError(
                {"upload": "the file is not UTF-8 text; fix: save it as a UTF-8 .yaml file"}
            ) from None

    @property
    def problem_count(self) -> int:
        return sum(len(errors) for errors in self.errors.values())

    def attach(self, error: ValidationError) -> None:
        """Put a service's problems beside the field the pack came from."""
        for field, messages in error.message_dict.items():
            target = self.cleaned_data.get("source", "yaml_text") if field == "text" else field
            for message in messages:
                self.add_error(target if target in self.fields else None, message)


class ApproveForm(forms.Form):
    revision = forms.IntegerField(label="Revision", min_value=1)


class PlanApproveForm(forms.Form):
    version = forms.IntegerField(label="Plan version", min_value=1)
    summary = forms.CharField(
        label="What is approved, and by which meeting",
        max_length=4000,
        error_messages={"required": "say what is approved; fix: write a summary"},
    )


class ExerciseForm(forms.Form):
    """A plan test, one field per column of seed 000, Appendix 5 'History of Plan Tests'."""

    held_on = forms.DateField(
        label="Date",
        help_text="For example 2024-07-24.",
        error_messages={"invalid": "write the date as YYYY-MM-DD; fix: e.g. 2024-07-24"},
    )
    kind = forms.ChoiceField(label="Exercise or actual invocation", choices=ExerciseKindChoice)
    title = forms.CharField(label="Title", max_length=300)
    scenario = forms.CharField(
        label="Scenario",
        help_text="What the exercise simulated, or what set off the real invocation.",
        widget=forms.Textarea,
        max_length=4000,
    )
    what_happened = forms.CharField(
        label="What happened",
        help_text="The response, and how long the situation lasted.",
        widget=forms.Textarea,
        max_length=4000,
        required=False,
    )
    lessons = forms.CharField(
        label="Lessons identified",
        help_text="What went well, what didn't go so well, what could be done better next time.",
        widget=forms.Textarea,
        max_length=4000,
    )
    plan_changes = forms.CharField(
        label="Plan changes they led to",
        widget=forms.Textarea,
        max_length=4000,
        required=False,
    )
    pack_revision = forms.ModelChoiceField(
        label="Pack revision that carries the change (optional)",
        queryset=PackRevision.objects.none(),
        required=False,
        empty_label="None",
    )
    document_version = forms.ModelChoiceField(
        label="Plan version that carries the change (optional)",
        queryset=DocumentVersion.objects.none(),
        required=False,
        empty_label="None",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = "this is empty; fix: fill it in"
        revisions = PackRevision.objects.filter(organisation=organisation).order_by("-proposed_at")
        documents = DocumentVersion.objects.filter(organisation=organisation)
        self.fields["pack_revision"].queryset = revisions  # type: ignore[attr-defined]
        self.fields["document_version"].queryset = documents.order_by(  # type: ignore[attr-defined]
            "document", "-revised_on"
        )
        self.fields["pack_revision"].label_from_instance = (  # type: ignore[attr-defined]
            lambda r: f"{r.pack_id} version {r.version} ({r.get_status_display().lower()})"
        )
        self.fields["document_version"].label_from_instance = (  # type: ignore[attr-defined]
            lambda d: f"{d.document}, version {d.version} ({d.revised_on:%d/%m/%Y})"
        )

    @property
    def problem_count(self) -> int:
        return sum(len(errors) for errors in self.errors.values())


class SignOffOutcomeForm(forms.Form):
    """The outcome of one meeting of a sign-off schedule (seed 002)."""

    meeting = forms.ModelChoiceField(
        label="Meeting",
        queryset=SignOffMeeting.objects.none(),
        empty_label="Choose a meeting",
        error_messages={"required": "choose the meeting; fix: pick one from the list"},
    )
    outcome = forms.CharField(
        label="Outcome",
        help_text="What the meeting decided, for example 'Approved' or 'Ratified with changes'.",
        max_length=2000,
        error_messages={"required": "say what the meeting decided; fix: write the outcome"},
    )
    meeting_date = forms.DateField(
        label="Date held",
        help_text="Needed where the schedule says 'to be confirmed'. For example 2024-10-10.",
        required=False,
        error_messages={"invalid": "write the date as YYYY-MM-DD; fix: e.g. 2024-10-10"},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        open_meetings = SignOffMeeting.objects.filter(organisation=organisation, outcome="")
        field = self.fields["meeting"]
        field.queryset = open_meetings.order_by("document", "position")  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: f"{m.meeting} ({m.anticipated})"  # type: ignore[attr-defined]
