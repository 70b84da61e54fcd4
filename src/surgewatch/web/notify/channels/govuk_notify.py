"""Email and text messages through GOV.UK Notify (notifications-python-client).

Each kind sends through one template set in the settings; the template
places ``((subject))``, ``((body))`` and ``((link))``. Without an API key or
a template id nothing can be sent, so the message fails permanently naming
the missing setting (issue 4), visible in the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from django.conf import settings
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from surgewatch.web.notify.channels.base import (
    Outgoing,
    PermanentError,
    TransientError,
    http_error_is_transient,
)

# The client signs with the last 73 characters of the key: service id and secret.
_KEY_LENGTH = 73
# Notify refuses text messages over 918 characters (its API documentation); the template
# adds the subject and link, so a long body (a list of actions) is shortened to fit.
SMS_BODY_LIMIT = 600


class NotifyClient(Protocol):
    """The two calls used from notifications-python-client, which has no annotations."""

    def send_email_notification(
        self, email_address: str, template_id: str, personalisation: Any, reference: str
    ) -> object: ...

    def send_sms_notification(
        self, phone_number: str, template_id: str, personalisation: Any, reference: str
    ) -> object: ...


class NotifyEmailTransport:
    def send(self, target: str, outgoing: Outgoing) -> None:
        template = _setting("GOVUK_NOTIFY_EMAIL_TEMPLATE_ID")
        _call(lambda c: c.send_email_notification(target, template, **_fields(outgoing)))


class NotifySmsTransport:
    def send(self, target: str, outgoing: Outgoing) -> None:
        template = _setting("GOVUK_NOTIFY_SMS_TEMPLATE_ID")
        short = replace(outgoing, body=_shorten(outgoing.body, SMS_BODY_LIMIT))
        _call(lambda c: c.send_sms_notification(target, template, **_fields(short)))


def _fields(outgoing: Outgoing) -> dict[str, Any]:
    personalisation = {"subject": outgoing.subject, "body": outgoing.body, "link": outgoing.link}
    # Notify keeps the reference with the notification: the outbox row it came from.
    return {"personalisation": personalisation, "reference": f"surgewatch-{outgoing.message_id}"}


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _call(request: Callable[[NotifyClient], object]) -> None:
    client = _client()
    try:
        request(client)
    except HTTPError as error:
        detail = f"GOV.UK Notify answered {error.status_code}: {error.message}"
        if http_error_is_transient(error.status_code):
            raise TransientError(detail) from None
        raise PermanentError(detail) from None


def _client() -> NotifyClient:
    key = _setting("GOVUK_NOTIFY_API_KEY")
    if len(key) < _KEY_LENGTH:
        raise PermanentError(
            "GOVUK_NOTIFY_API_KEY is not a GOV.UK Notify API key; "
            "fix: copy the whole key from Notify's 'API integration' page"
        )
    client: NotifyClient = NotificationsAPIClient(  # type: ignore[no-untyped-call]
        key, base_url=settings.GOVUK_NOTIFY_BASE_URL
    )
    return client


def _setting(name: str) -> str:
    value = str(getattr(settings, name, "") or "").strip()
    if not value:
        raise PermanentError(f"GOV.UK Notify is not configured: {name} is not set")
    return value
