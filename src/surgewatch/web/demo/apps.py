from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "surgewatch.web.demo"
    label = "demo"
    verbose_name = "Demonstration data"
