from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "surgewatch.web.casework"
    label = "casework"
    verbose_name = "Casework: assessment bed placements, Care Act assessments and reviews"
