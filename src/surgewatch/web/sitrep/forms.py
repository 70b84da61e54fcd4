"""The SitRep page's one field: which day's SitRep to show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from surgewatch.web.sitrep.dates import SitRepDateError, parse_sitrep_date


class DateInput(forms.DateInput):
    input_type = "date"


class SitRepDateForm(forms.Form):
    """Checks the date the same way the downloads and the command do (``parse_sitrep_date``)."""

    date = forms.CharField(
        label="Date",
        required=False,
        help_text=(
            "Today's SitRep is as at now; an earlier day's is as at 10:30 UK time, "
            "after the first assessment. For example, 2026-01-05."
        ),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": today.isoformat()})
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["date"].widget = DateInput(attrs={"max": today.isoformat()})

    def clean_date(self) -> dt.date:
        try:
            return parse_sitrep_date(self.cleaned_data.get("date"), self.today)
        except SitRepDateError as problem:
            raise forms.ValidationError(str(problem), code="date") from None
