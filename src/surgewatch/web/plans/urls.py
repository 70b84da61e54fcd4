"""Capacity plans (issue 5): upload and versions, gap, uncertainty, costs, risks, demand."""

from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.plans import outcome_views, sim_views, views

PLAN = "org/<slug:slug>/plans/<int:pk>/"
VERSION = PLAN + "v<int:number>/"
SCENARIOS = "org/<slug:slug>/plans/scenarios/"
SIMULATION = "org/<slug:slug>/plans/simulations/<int:run_id>/"
OUTCOMES = "org/<slug:slug>/plans/outcomes/"

urlpatterns: list[URLPattern] = [
    path("org/<slug:slug>/plans/", views.plans, name="plans"),
    path("org/<slug:slug>/plans/new/", views.plan_new, name="plan-new"),
    path(PLAN, views.plan, name="plan"),
    path(PLAN + "edit/", views.plan_edit, name="plan-edit"),
    path(VERSION, views.plan, name="plan-version"),
    path(VERSION + "plan.xlsx", views.plan_xlsx, name="plan-xlsx"),
    path(VERSION + "plan.yaml", views.plan_yaml, name="plan-yaml"),
    path(
        VERSION + "uncertainty/runs/<int:run_id>/",
        views.uncertainty_status,
        name="plan-uncertainty-status",
    ),
    # Patient-flow simulation (issue 6): scenarios as versions, runs, results.
    path(SCENARIOS, sim_views.scenarios, name="scenarios"),
    path(SCENARIOS + "new/", sim_views.scenario_new, name="scenario-new"),
    path(SCENARIOS + "<int:pk>/", sim_views.scenario, name="scenario"),
    path(SCENARIOS + "<int:pk>/edit/", sim_views.scenario_edit, name="scenario-edit"),
    path(SCENARIOS + "<int:pk>/v<int:number>/", sim_views.scenario, name="scenario-version"),
    path(SIMULATION, sim_views.simulation, name="simulation"),
    path(SIMULATION + "status/", sim_views.simulation_status, name="simulation-status"),
    path(SIMULATION + "result.json", sim_views.simulation_json, name="simulation-json"),
    # Scheme outcomes and their savings (issue 7; seed 003, HART).
    path(OUTCOMES, outcome_views.outcome_list, name="outcomes"),
    path(OUTCOMES + "new/", outcome_views.outcome_new, name="outcome-new"),
    path(OUTCOMES + "unit-costs/", outcome_views.outcome_unit_costs, name="outcome-unit-costs"),
    path(OUTCOMES + "savings.xlsx", outcome_views.outcomes_xlsx, name="outcomes-xlsx"),
]
# Each page: the latest version without a number, a given version with one.
for _page, _view in (
    ("gap", views.plan_gap),
    ("uncertainty", views.plan_uncertainty),
    ("costs", views.plan_costs),
    ("risks", views.plan_risks),
    ("demand", views.plan_demand),
):
    urlpatterns.append(path(f"{PLAN}{_page}/", _view, name=f"plan-{_page}"))
    urlpatterns.append(path(f"{VERSION}{_page}/", _view, name=f"plan-{_page}-version"))
