from django.apps import AppConfig


class WashupConfig(AppConfig):
    name = "surgewatch.web.washup"
    label = "washup"
    verbose_name = "Wash-up board: complex discharges, blockers and delayed days"
