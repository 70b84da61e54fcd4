"""Transports, one module per channel, loaded only when a message of that kind is sent.

A small registry, as healthchecks keeps: the delivery code asks for a kind
and never imports a transport (or its client library) it does not use.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from surgewatch.web.notify.channels.base import Transport
from surgewatch.web.notify.models import Kind

_TRANSPORTS = {
    Kind.EMAIL: "surgewatch.web.notify.channels.email.EmailTransport",
    Kind.NOTIFY_EMAIL: "surgewatch.web.notify.channels.govuk_notify.NotifyEmailTransport",
    Kind.SMS: "surgewatch.web.notify.channels.govuk_notify.NotifySmsTransport",
    Kind.TEAMS: "surgewatch.web.notify.channels.webhook.TeamsTransport",
    Kind.SLACK: "surgewatch.web.notify.channels.webhook.SlackTransport",
    Kind.WEBHOOK: "surgewatch.web.notify.channels.webhook.JsonTransport",
    Kind.NONE: "surgewatch.web.notify.channels.base.NoChannel",
}


def transport_for(kind: str) -> Transport:
    transport: Transport = import_string(_TRANSPORTS[Kind(kind)])()
    return transport
