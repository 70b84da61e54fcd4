"""Forms for plans. They parse what was sent; the services and the planning core check it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from surgewatch.web.plans.runs import DEFAULT_REPLICATIONS, MAX_REPLICATIONS, MIN_REPLICATIONS

MAX_PLAN_BYTES = 1_000_000  # a plan file is a few kilobytes; this bounds a wrong upload


class PlanFileForm(forms.Form):
    """A plan file typed or pasted into the text area, or uploaded (the upload wins)."""

    title = forms.CharField(
        label="Plan name",
        help_text="Leave blank to use the title written in the file.",
        required=False,
        max_length=300,
    )
    yaml_text = forms.CharField(
        label="Plan file (YAML)",
        help_text="One or more YAML documents separated by a line of three dashes (---): a bed "
        "gap and schemes ('sites:'), costs ('groups:'), a risk register ('risks:') or a demand "
        "forecast ('services:').",
        required=False,
        strip=False,
        max_length=MAX_PLAN_BYTES,
        widget=forms.Textarea,
    )
    upload = forms.FileField(
        label="Or upload a plan file",
        help_text="A .yaml file; it replaces the text above.",
        required=False,
    )
    change_note = forms.CharField(
        label="What this version changes",
        help_text="Kept with the version, for the board and for whoever edits it next.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, with_title: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_title:
            del self.fields["title"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("upload")
        if upload is not None:
            cleaned["text"], cleaned["filename"], cleaned["source"] = self._read(upload)
        elif (cleaned.get("yaml_text") or "").strip():
            cleaned["text"], cleaned["filename"], cleaned["source"] = (
                cleaned["yaml_text"],
                "",
                "yaml_text",
            )
        elif "yaml_text" not in self.errors:
            self.add_error("yaml_text", "the plan is empty; fix: paste the plan or upload a file")
        return cleaned

    def _read(self, upload: Any) -> tuple[str, str, str]:
        if upload.size > MAX_PLAN_BYTES:
            raise ValidationError(
                {"upload": f"the file is over {MAX_PLAN_BYTES:,} bytes; fix: upload the plan file"}
            )
        try:
            # The name is kept to say where a version came from; the column holds 255.
            return upload.read().decode("utf-8"), upload.name[-255:], "upload"
        except UnicodeDecodeError:
            raise ValidationError(
                {"upload": "the file is not UTF-8 text; fix: save it as a UTF-8 .yaml file"}
            ) from None

    @property
    def problem_count(self) -> int:
        """Every message on the form (a refused file carries one per problem)."""
        return sum(len(errors) for errors in self.errors.values())

    def attach(self, error: ValidationError) -> None:
        """Put a service's problems beside the field the plan came from."""
        for field, messages in error.message_dict.items():
            target = self.cleaned_data.get("source", "yaml_text") if field == "text" else field
            for message in messages:
                self.add_error(target, message)


class ReplicationsForm(forms.Form):
    replications = forms.IntegerField(
        label="Replications",
        help_text=f"How many simulated winters, from {MIN_REPLICATIONS:,} to "
        f"{MAX_REPLICATIONS:,}. More replications give steadier percentiles.",
        min_value=MIN_REPLICATIONS,
        max_value=MAX_REPLICATIONS,
        initial=DEFAULT_REPLICATIONS,
    )
