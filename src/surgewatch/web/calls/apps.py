from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "surgewatch.web.calls"
    label = "calls"
    verbose_name = "Calls: whole-system and local health economy teleconferences"
