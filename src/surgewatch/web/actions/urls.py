from __future__ import annotations

from django.urls import path

from surgewatch.web.actions import views

urlpatterns = [
    path("actions/mine/", views.my_actions, name="my-actions"),
    path("actions/<int:card_id>/", views.action_card, name="action-card"),
    path("actions/<int:card_id>/<slug:do>/", views.update_card, name="action-card-update"),
    path("org/<slug:slug>/actions/", views.organisation_actions, name="organisation-actions"),
    path("org/<slug:slug>/checklist/<int:level>/", views.checklist, name="checklist"),
    path(
        "org/<slug:slug>/protocols/<slug:protocol_id>/start/",
        views.start_protocol,
        name="protocol-start",
    ),
    path("protocol-runs/<int:run_id>/stop/", views.stop_protocol, name="protocol-stop"),
]
