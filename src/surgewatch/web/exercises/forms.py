"""The form that picks a script: a shipped example, or a file uploaded from the computer."""

from __future__ import annotations

from typing import Any

from django import forms

from surgewatch.web.exercises.examples import Example
from surgewatch.web.exercises.models import ScriptSource
from surgewatch.web.exercises.services import Script

MAX_BYTES = 1_000_000


class ExerciseForm(forms.Form):
    example = forms.ChoiceField(
        label="Shipped example script",
        required=False,
        help_text="Leave as 'None' to upload your own script instead.",
    )
    script_file = forms.FileField(
        label="Or upload a script (YAML)",
        required=False,
        help_text="A script names the pack, a start time (UK time), and a timeline of "
        "readings, declarations and actions done. Nothing live is changed and nothing is sent.",
    )

    def __init__(self, *args: Any, examples: list[Example], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.examples = {e.filename: e for e in examples}
        choices = [("", "None")] + [(e.filename, e.title) for e in examples]
        example = self.fields["example"]
        assert isinstance(example, forms.ChoiceField)
        example.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("example")) == bool(data.get("script_file")):
            raise forms.ValidationError(
                "Choose a shipped example or upload a script (one of them, not both)."
            )
        return data

    def clean_script_file(self) -> Any:
        upload = self.cleaned_data.get("script_file")
        if upload is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError("is larger than 1 MB; fix: split the script")
        return upload

    def script(self) -> Script:
        chosen = self.cleaned_data.get("example")
        if chosen:
            example = self.examples[chosen]
            return Script(example.text(), example.filename, ScriptSource.EXAMPLE)
        upload = self.cleaned_data["script_file"]
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("is not UTF-8 text; fix: save the YAML as UTF-8") from None
        return Script(text, upload.name, ScriptSource.UPLOAD)
