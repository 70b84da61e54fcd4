"""Plan governance (issue 7): pack and plan approvals, diffs, history and the exercise log.

Objects are named in the form or the query string (``?to=r12``), not the path, so
each page's address is the organisation's alone.
"""

from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.governance import views

GOVERNANCE = "org/<slug:slug>/governance/"

urlpatterns: list[URLPattern] = [
    path(GOVERNANCE, views.governance, name="governance"),
    path(GOVERNANCE + "pack/propose/", views.propose, name="governance-propose"),
    path(GOVERNANCE + "pack/approve/", views.approve, name="governance-approve"),
    path(GOVERNANCE + "pack/diff/", views.diff, name="governance-diff"),
    path(GOVERNANCE + "plans/approve/", views.plan_approve, name="governance-plan-approve"),
    path(GOVERNANCE + "sign-off/", views.sign_off_outcome, name="governance-sign-off"),
    path(GOVERNANCE + "exercise-log/", views.exercises, name="exercise-log"),
    path(GOVERNANCE + "exercise-log/new/", views.exercise_new, name="exercise-log-new"),
]
