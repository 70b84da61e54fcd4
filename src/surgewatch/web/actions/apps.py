from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "surgewatch.web.actions"
    label = "actions"
    verbose_name = "Actions: level changes, action cards, deadlines and protocols"

    def ready(self) -> None:
        from surgewatch.web.actions import receivers  # noqa: F401  (connects the signals)
