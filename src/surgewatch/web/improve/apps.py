from django.apps import AppConfig


class ImproveConfig(AppConfig):
    name = "surgewatch.web.improve"
    label = "improve"
    verbose_name = "Improve: High Impact Change Model and winter roles self-assessments"
