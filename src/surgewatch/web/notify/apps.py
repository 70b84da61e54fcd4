from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "surgewatch.web.notify"
    label = "notify"
    verbose_name = "Notifications: channels, preferences and the outbox"
