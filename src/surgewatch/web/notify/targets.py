"""Checking and tidying what a person types as a channel's target.

Issue 4: email addresses must be valid, SMS goes to UK mobile numbers (07...
or +447...), webhooks must use https; plain http is allowed only to this
machine (127.0.0.1, localhost, ::1) so tests and local receivers work.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from surgewatch.web.notify.models import WEBHOOK_KINDS, Kind

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# After dropping spaces, dashes, dots and brackets: 7 and nine digits, after 0, +44 or
# 0044, with the '(0)' people often write after the country code.
_UK_MOBILE = re.compile(r"^(?:(?:\+44|0044)0?|0)(7\d{9})$")
_SEPARATORS = re.compile(r"[\s\-().]")


def clean_target(kind: str, raw: str) -> str:
    """The target in the form it is stored and sent, or ValidationError saying what to fix."""
    value = raw.strip()
    if not value:
        raise ValidationError("Enter where messages should go.", code="required")
    if kind in (Kind.EMAIL, Kind.NOTIFY_EMAIL):
        return clean_email(value)
    if kind == Kind.SMS:
        return clean_uk_mobile(value)
    if kind in WEBHOOK_KINDS:
        return clean_webhook_url(value)
    raise ValidationError(f"Unknown kind of channel '{kind}'.", code="invalid")


def clean_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(
            "Enter an email address in the correct format, like name@example.nhs.uk.",
            code="invalid",
        ) from None
    return value


def clean_uk_mobile(value: str) -> str:
    """A UK mobile number as +447xxxxxxxxx, the form GOV.UK Notify accepts everywhere."""
    match = _UK_MOBILE.match(_SEPARATORS.sub("", value))
    if match is None:
        raise ValidationError(
            "Enter a UK mobile number, like 07700 900123 or +44 7700 900123.", code="invalid"
        )
    return f"+44{match.group(1)}"


def clean_webhook_url(value: str) -> str:
    try:
        URLValidator(schemes=["https", "http"])(value)
    except ValidationError:
        raise ValidationError(
            "Enter the full webhook address, starting https://.", code="invalid"
        ) from None
    parts = urlsplit(value)
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValidationError(
            "Webhook addresses must start https:// (http:// only to this machine).",
            code="insecure",
        )
    return value
