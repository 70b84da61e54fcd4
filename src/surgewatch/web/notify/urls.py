from __future__ import annotations

from django.urls import URLPattern, path

from surgewatch.web.notify import views

urlpatterns: list[URLPattern] = [
    path(
        "account/notifications/",
        views.notification_settings,
        name="notification-settings",
    ),
    path(
        "account/notifications/channels/",
        views.channel_add,
        name="notification-channel-add",
    ),
    path(
        "account/notifications/channels/<int:pk>/remove/",
        views.channel_remove,
        name="notification-channel-remove",
    ),
    path(
        "account/notifications/roles/",
        views.preferences_save,
        name="notification-preferences",
    ),
    path("outbox/", views.outbox_page, name="outbox"),
    path("outbox/<int:pk>/", views.outbox_message, name="outbox-message"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox-retry"),
]
