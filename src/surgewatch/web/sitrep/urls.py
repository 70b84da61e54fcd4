from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.sitrep import views

urlpatterns: list[URLPattern] = [
    path("org/<slug:slug>/sitrep/", views.sitrep, name="sitrep"),
    path("org/<slug:slug>/sitrep.pdf", views.sitrep_pdf, name="sitrep-pdf"),
    path("org/<slug:slug>/sitrep.xlsx", views.sitrep_xlsx, name="sitrep-xlsx"),
    path("org/<slug:slug>/sitrep.csv", views.sitrep_csv, name="sitrep-csv"),
]
