"""Email through Django's email backend (SMTP in deployment: EMAIL_HOST, EMAIL_PORT).

SMTP says itself which failures last: 5xx replies are permanent, 4xx are
temporary (RFC 5321, section 4.2.1). A server that cannot be reached or
hangs up is transient.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage

from surgewatch.web.notify.channels.base import Outgoing, PermanentError, TransientError
from surgewatch.web.notify.targets import clean_email


class EmailTransport:
    def send(self, target: str, outgoing: Outgoing) -> None:
        _check_address(target)
        email = EmailMessage(
            subject=outgoing.subject,
            body=outgoing.text(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[target],
            headers={"X-Surgewatch-Event": outgoing.event_key},
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            detail = f"the mail server refused {target}: {code} {_text(reply)}"
            raise _by_code(code, detail) from None
        except smtplib.SMTPResponseException as error:
            detail = f"the mail server answered {error.smtp_code} {_text(error.smtp_error)}"
            raise _by_code(error.smtp_code, detail) from None
        except (smtplib.SMTPException, OSError) as error:
            raise TransientError(f"could not reach the mail server: {error}") from None


def _check_address(target: str) -> None:
    try:
        clean_email(target)
    except ValidationError:
        raise PermanentError(f"invalid email address '{target}'") from None


def _by_code(code: int, detail: str) -> PermanentError | TransientError:
    return PermanentError(detail) if code >= 500 else TransientError(detail)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
