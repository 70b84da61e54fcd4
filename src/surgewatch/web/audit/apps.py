from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "surgewatch.web.audit"
    label = "audit"
    verbose_name = "Audit log: every state change with who, when, before and after"

    def ready(self) -> None:
        from surgewatch.web.audit import bulk, hooks, signals

        signals.connect()
        bulk.install()
        hooks.install()
