"""Local SMTP and webhook receivers that count what arrives and can refuse on demand.

While ``failing`` is set, SMTP answers 451 (a temporary failure, RFC 5321
4.2.1) and the webhook answers 503, so the worker must retry; the counts show
whether each message arrived exactly once once they recover (issue 8).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

Delivery = tuple[str, str]  # (recipient, event key)


class Tally:
    """Deliveries per recipient and event, and refusals, shared by both receivers."""

    def __init__(self) -> None:
        self.failing = threading.Event()
        self.received: Counter[Delivery] = Counter()
        self.refused = 0
        self._lock = threading.Lock()

    def arrive(self, recipient: str, event_key: str) -> bool:
        """Count one delivery; False (and counted as refused) while failing."""
        with self._lock:
            if self.failing.is_set():
                self.refused += 1
                return False
            self.received[(recipient, event_key)] += 1
            return True

    def duplicates(self) -> int:
        return sum(n - 1 for n in self.received.values() if n > 1)


class _SmtpHandler:
    def __init__(self, tally: Tally) -> None:
        self.tally = tally

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        event = message_from_bytes(envelope.content).get("X-Surgewatch-Event", "")
        accepted = [self.tally.arrive(rcpt, event) for rcpt in envelope.rcpt_tos]
        return "250 OK" if all(accepted) else "451 4.3.0 receiver failing on purpose"


def _webhook_handler(tally: Tally) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            event = json.loads(body or b"{}").get("event_key", "")
            ok = tally.arrive(f"webhook:{self.path}", event)
            self.send_response(200 if ok else 503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # thousands of lines would drown the figures

    return Handler


class Receivers:
    """Both receivers on loopback, sharing one tally and one failure switch."""

    def __init__(self, smtp_port: int, webhook_port: int) -> None:
        self.tally = Tally()
        self.smtp = Controller(_SmtpHandler(self.tally), hostname="127.0.0.1", port=smtp_port)
        self.webhook = ThreadingHTTPServer(
            ("127.0.0.1", webhook_port), _webhook_handler(self.tally)
        )
        self.webhook_port = webhook_port

    def start(self) -> None:
        self.smtp.start()
        threading.Thread(target=self.webhook.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.smtp.stop()
        self.webhook.shutdown()
