"""Casework timers: counts for the organisation, records per area for the care team."""

from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.casework import views

AREA = "org/<slug:slug>/casework/<slug:area_slug>/"

urlpatterns: list[URLPattern] = [
    path("org/<slug:slug>/casework/", views.summary, name="casework"),
    path(AREA, views.area, name="casework-area"),
    path(AREA + "placements/new/", views.placement_new, name="casework-placement-new"),
    path(AREA + "care-act/new/", views.care_act_new, name="casework-care-act-new"),
    path(AREA + "reviews/new/", views.review_new, name="casework-review-new"),
    path(AREA + "close/", views.close, name="casework-close"),
    path(AREA + "record/", views.record, name="casework-record"),
]
