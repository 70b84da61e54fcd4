"""What every transport shares: the message as sent, and the two ways sending fails.

Issue 4, after healthchecks: a permanent error (an address that does not
exist, a webhook answering 404, a service that is not configured) stops at
once, because trying again cannot help; a transient one (a timeout, a
refused connection, a 5xx or 429 answer) is retried with backoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """A message as a transport needs it; ``link`` is absolute (SITE_URL + path) or empty."""

    message_id: int
    event_key: str
    subject: str
    body: str
    link: str
    organisation: str
    role: str

    def text(self) -> str:
        """The body with the link on its own line: for email and chat messages."""
        return f"{self.body}\n\nOpen in Surgewatch: {self.link}" if self.link else self.body


class DeliveryError(Exception):
    """Sending failed; the text is shown in the outbox, so it says what went wrong."""


class PermanentError(DeliveryError):
    """Trying again will not help until a person changes something."""


class TransientError(DeliveryError):
    """The far end may accept the message later."""


class Transport(Protocol):
    def send(self, target: str, outgoing: Outgoing) -> None:
        """Deliver or raise PermanentError / TransientError."""


NO_CHANNEL = "no channel: add an email address or a channel"


class NoChannel:
    """For a person with no channel and no email address: always fails, visibly."""

    def send(self, target: str, outgoing: Outgoing) -> None:
        raise PermanentError(NO_CHANNEL)


def http_error_is_transient(status: int) -> bool:
    """Timeouts (408), rate limits (429) and server errors (5xx) pass; other answers stand."""
    return status in (408, 429) or status >= 500
