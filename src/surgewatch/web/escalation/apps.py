from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "surgewatch.web.escalation"
    label = "escalation"
    verbose_name = "Escalation: status, declarations and the system view"
