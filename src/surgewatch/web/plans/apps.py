from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "surgewatch.web.plans"
    label = "plans"
    verbose_name = "Plans: capacity plans, gap, uncertainty, costs and risks (issue 5)"
