"""Scheme outcome pages (issue 7): record outcomes, set unit costs, see the savings.

Seed 003, Lincolnshire HART (15 Dec 2015 to 31 Aug 2017): 1,220 bed days x GBP 400 =
GBP 488,000; 303 avoided admissions x GBP 2,000 = GBP 606,000; total GBP 1,094,000.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from surgewatch.web.accounts.models import User
from surgewatch.web.decisions.models import ImmutableRecordError
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.selectors import organisation_by_slug
from surgewatch.web.orgs.services import add_membership, install_pack
from surgewatch.web.plans.models import Plan, SavingsUnitCosts, SchemeOutcome
from surgewatch.web.plans.services import create_plan

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
SSOT = Path(__file__).resolve().parents[2] / "examples/plans/ssot-2024-25-rsuh-medical.yaml"
HART = {
    "scheme": "HART",
    "provider": "LILP",
    "period_start": "2015-12-15",
    "period_end": "2017-08-31",
    "bed_days_saved": "1220",
    "admissions_avoided": "303",
    "discharges_supported": "1250",
    "bed_days_potential": "670",
}
SEED_COSTS = {"bed_day": "400", "admission_avoided": "2000", "source": "Seed 003, HART slides"}


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(kcc: Organisation) -> dict[str, User]:
    install_pack("example-acute-trust")
    editor = User.objects.create_user("service-manager", password="not-used")
    add_membership(editor, kcc, "stp-service-manager")
    looker = User.objects.create_user("director", password="not-used")
    add_membership(looker, kcc, "director-asc")
    outsider = User.objects.create_user("site-manager", password="not-used")
    add_membership(outsider, organisation_by_slug("example-acute"), "site-manager")
    return {"editor": editor, "looker": looker, "outsider": outsider}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str) -> str:
    return reverse(name, args=["kcc-asch"])


def _text(response: Any) -> str:
    return unescape(response.content.decode())


def _record(client: Client, **changes: str) -> Any:
    return client.post(_url("outcome-new"), {**HART, **changes})


def test_hart_figures_reproduce_on_the_page(people: dict[str, User]) -> None:
    editor = _client(people["editor"])
    assert editor.post(_url("outcome-unit-costs"), SEED_COSTS).status_code == 302
    assert _record(editor).status_code == 302
    page = _text(_client(people["looker"]).get(_url("outcomes")))
    assert "1,220 bed days saved x GBP 400 = GBP 488,000" in page
    assert "303 admissions avoided x GBP 2,000 = GBP 606,000" in page
    assert "Total: GBP 488,000 + GBP 606,000 = GBP 1,094,000" in page
    assert "Not in the total: 670 bed days potentially saved x GBP 400 = GBP 268,000" in page
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric" id="savings-total">' \
        "GBP 1,094,000</td>" in page  # fmt: skip
    record = SchemeOutcome.objects.get()
    assert (record.bed_days_saved, record.admissions_avoided) == (Decimal(1220), 303)
    assert (record.recorded_by, record.recorded_at) == (people["editor"], NOW)


def test_without_unit_costs_outcomes_are_counted_not_priced(people: dict[str, User]) -> None:
    editor = _client(people["editor"])
    _record(editor)
    page = _text(editor.get(_url("outcomes")))
    assert "Bed days saved: 1,220" in page and "Not priced: set the unit costs" in page
    assert "GBP 1,094,000" not in page
    book = load_workbook(io.BytesIO(editor.get(_url("outcomes-xlsx")).content))
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[1][0] == "No savings yet: record scheme outcomes and set the unit costs."


def test_readers_read_only_editors_record_outsiders_see_nothing(people: dict[str, User]) -> None:
    looker, outsider = _client(people["looker"]), _client(people["outsider"])
    assert looker.get(_url("outcomes")).status_code == 200
    assert "Record scheme outcomes" not in _text(looker.get(_url("outcomes")))
    assert looker.get(_url("outcome-new")).status_code == 403
    assert _record(looker).status_code == 403
    assert looker.post(_url("outcome-unit-costs"), SEED_COSTS).status_code == 403
    assert outsider.get(_url("outcomes")).status_code == 403
    assert _record(outsider).status_code == 403
    assert SchemeOutcome.objects.count() == 0 and SavingsUnitCosts.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"bed_days_saved": "-1"}, "bed_days_saved", "greater than or equal to 0"),
        ({"admissions_avoided": "2.5"}, "admissions_avoided", "whole number"),
        ({"period_end": "2015-01-01"}, "period_end", "ends before it starts; fix: swap"),
        ({"scheme": ""}, "scheme", "required"),
        ({"period_start": "2015-13-01"}, "period_start", "valid date"),
    ],
)
def test_bad_input_is_named_beside_its_field_and_saves_nothing(
    people: dict[str, User], changes: dict[str, str], field: str, words: str
) -> None:
    response = _record(_client(people["editor"]), **changes)
    assert response.status_code == 400
    assert words in response.context["form"].errors[field][0]
    assert f'href="#id_{field}"' in _text(response)  # the error summary links to the field
    assert SchemeOutcome.objects.count() == 0


def test_a_plan_scheme_must_be_one_of_the_plan(people: dict[str, User], kcc: Organisation) -> None:
    version = create_plan(
        people["editor"], kcc, title="SSOT", text=SSOT.read_text(), filename="ssot.yaml",
        change_note="First", now=NOW,
    )  # fmt: skip
    editor = _client(people["editor"])
    assert "SSOT: W120, W79, AMRAU" in _text(editor.get(_url("outcome-new")))
    refused = _record(editor, plan=str(version.plan_id))
    assert refused.status_code == 400
    [message] = refused.context["form"].errors["scheme"]
    assert message.startswith("'HART' is not a scheme of SSOT; fix: use one of W120, W79")
    assert _record(editor, plan=str(version.plan_id), scheme="W120").status_code == 302
    assert SchemeOutcome.objects.get().plan == Plan.objects.get()


def test_another_organisations_plan_cannot_be_named(people: dict[str, User]) -> None:
    acute = organisation_by_slug("example-acute")
    version = create_plan(
        people["outsider"], acute, title="Acute", text=SSOT.read_text(), filename="",
        change_note="First", now=NOW,
    )  # fmt: skip
    response = _record(_client(people["editor"]), plan=str(version.plan_id), scheme="W120")
    assert response.status_code == 400 and "plan" in response.context["form"].errors
    assert SchemeOutcome.objects.count() == 0


def test_overlapping_periods_of_one_scheme_are_refused(people: dict[str, User]) -> None:
    editor = _client(people["editor"])
    _record(editor)
    response = _record(editor, period_start="2017-08-31", period_end="2017-12-31")
    assert response.status_code == 400
    [message] = response.context["form"].errors["period_start"]
    assert "HART already has outcomes for 2015-12-15 to 2017-08-31" in message
    assert _record(editor, period_start="2017-09-01", period_end="2017-12-31").status_code == 302
    assert _record(editor, scheme="Other").status_code == 302  # another scheme may share dates
    assert SchemeOutcome.objects.count() == 3


def test_amendment_replaces_in_the_savings_and_keeps_the_original(
    people: dict[str, User],
) -> None:
    editor = _client(people["editor"])
    editor.post(_url("outcome-unit-costs"), SEED_COSTS)
    _record(editor, bed_days_saved="1000")
    first = SchemeOutcome.objects.get()
    form = editor.get(_url("outcome-new") + f"?amends={first.pk}")
    assert form.context["form"].initial["bed_days_saved"] == Decimal(1000)
    without_reason = _record(editor, amends=str(first.pk))
    assert "write a reason" in without_reason.context["form"].errors["reason"][0]
    assert _record(editor, amends=str(first.pk), reason="Audited count").status_code == 302
    second = SchemeOutcome.objects.exclude(pk=first.pk).get()
    assert (second.amends, second.reason) == (first, "Audited count")
    page = _text(editor.get(_url("outcomes")))
    assert "GBP 1,094,000" in page and "1,000 bed days saved x" not in page
    assert "Earlier records, replaced by an amendment (1)" in page and "Audited count" in page
    again = _record(editor, amends=str(first.pk), reason="Twice")
    assert again.status_code == 404  # only a current record can be amended
    assert SchemeOutcome.objects.count() == 2


def test_new_unit_costs_price_from_then_on_and_the_old_stay(people: dict[str, User]) -> None:
    editor = _client(people["editor"])
    editor.post(_url("outcome-unit-costs"), SEED_COSTS)
    _record(editor)
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=UTC), tick=False):
        changed = {**SEED_COSTS, "bed_day": "450.50", "source": "2026 reference costs"}
        assert editor.post(_url("outcome-unit-costs"), changed).status_code == 302
        page = _text(editor.get(_url("outcomes")))
        history = _text(editor.get(_url("outcome-unit-costs")))
    assert "1,220 bed days saved x GBP 450.50 = GBP 549,610" in page
    assert "GBP 1,155,610" in page
    assert "2026 reference costs" in history and "Seed 003, HART slides" in history
    assert SavingsUnitCosts.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bed_day": "-1"}, "bed_day"),
        ({"source": " "}, "source"),
        ({"bed_day": "1.234"}, "bed_day"),
    ],
)
def test_bad_unit_costs_save_nothing(
    people: dict[str, User], changes: dict[str, str], field: str
) -> None:
    response = _client(people["editor"]).post(_url("outcome-unit-costs"), {**SEED_COSTS, **changes})
    assert response.status_code == 400 and field in response.context["form"].errors
    assert SavingsUnitCosts.objects.count() == 0


def test_workbook_holds_the_savings_as_numbers(people: dict[str, User]) -> None:
    editor = _client(people["editor"])
    editor.post(_url("outcome-unit-costs"), SEED_COSTS)
    _record(editor)
    response = editor.get(_url("outcomes-xlsx"))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0] == ("Scheme", "Period", "Outcome", "Arithmetic", "Saving")
    amounts = {r[2]: r[4] for r in rows if r[0] == "HART"}
    assert amounts["bed days saved"] == 488000 and amounts["scheme total"] == 1094000
    assert next(r[4] for r in rows if r[0] == "All schemes") == 1094000


def test_records_cannot_be_changed(people: dict[str, User]) -> None:
    _record(_client(people["editor"]))
    record = SchemeOutcome.objects.get()
    record.bed_days_saved = Decimal(1)
    with pytest.raises(ImmutableRecordError):
        record.save()
    with pytest.raises(ImmutableRecordError):
        SchemeOutcome.objects.all().update(scheme="X")


def test_the_organisation_and_plans_pages_link_here(people: dict[str, User]) -> None:
    looker = _client(people["looker"])
    target = f'href="{_url("outcomes")}"'
    assert target in _text(looker.get(reverse("organisation", args=["kcc-asch"])))
    assert target in _text(looker.get(_url("plans")))
