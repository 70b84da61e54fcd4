from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "surgewatch.web.api"
    label = "api"
    verbose_name = "REST API"
