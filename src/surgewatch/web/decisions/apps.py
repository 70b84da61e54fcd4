from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "surgewatch.web.decisions"
    label = "decisions"
    verbose_name = "Decisions: the decision and dynamic risk assessment log, group meetings"
