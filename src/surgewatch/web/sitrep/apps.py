from django.apps import AppConfig


class SitrepConfig(AppConfig):
    name = "surgewatch.web.sitrep"
    label = "sitrep"
    verbose_name = "SitRep: the daily situation report"
