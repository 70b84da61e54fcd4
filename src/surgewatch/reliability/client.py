"""A bounded load client: asyncio schedules calls, a thread pool sends them with http.client.

Stdlib only, so it measures the server and not a client library. A write
carries an ``Idempotency-Key`` and is sent again with the same key until the
server acknowledges it (2xx) or refuses it (a 4xx other than 409/429), as a
feed should (issue 8); the ledger counts every attempt, so the checks can ask
whether each acknowledged write is stored exactly once.
"""

from __future__ import annotations

import asyncio
import http.client
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Literal, Protocol

Verdict = Literal["acknowledged", "retry", "refused"]
# 409: another request holds the key (retry later); 429 and 5xx are the server's trouble.
RETRY_STATUSES = frozenset({409, 429})
NO_ANSWER = 0  # the status recorded when the connection failed before any answer


@dataclass(frozen=True)
class Call:
    """One request as the workload planned it; ``key`` is set on writes only."""

    kind: str
    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    key: str | None = None


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    replayed: bool = False


class Transport(Protocol):
    def __call__(self, call: Call) -> Answer:
        """Send once; raise OSError or http.client.HTTPException when no answer came."""
        ...


def verdict(status: int) -> Verdict:
    """What a client does next with an answer (issue 8: retry until acknowledged)."""
    if 200 <= status < 300:
        return "acknowledged"
    if status == NO_ANSWER or status >= 500 or status in RETRY_STATUSES:
        return "retry"
    return "refused"


@dataclass
class Ledger:
    """Every attempt and every write's fate; safe to share between the pool's threads."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    acknowledged: dict[str, Call] = field(default_factory=dict)
    refused: dict[str, tuple[Call, int, bytes]] = field(default_factory=dict)
    given_up: dict[str, Call] = field(default_factory=dict)
    attempts: Counter[str] = field(default_factory=Counter)
    replayed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def attempt(self, call: Call, status: int, seconds: float, replayed: bool = False) -> None:
        with self._lock:
            self.statuses[(call.kind, status)] += 1
            if 200 <= status < 300:  # latency of answered requests; failures are counted apart
                self.latencies[call.kind].append(seconds)
            if call.key is not None:
                self.attempts[call.key] += 1
            self.replayed += int(replayed)

    def settle(self, call: Call, outcome: Verdict | None, answer: Answer | None) -> None:
        """Record how a write ended: acknowledged, refused, or given up at the deadline."""
        if call.key is None:
            return
        with self._lock:
            if outcome == "acknowledged":
                self.acknowledged[call.key] = call
            elif outcome == "refused" and answer is not None:
                self.refused[call.key] = (call, answer.status, answer.body)
            else:
                self.given_up[call.key] = call

    @property
    def retries(self) -> int:
        """Attempts beyond the first, over all writes."""
        return sum(n - 1 for n in self.attempts.values() if n > 1)

    def failures(self, kind: str) -> int:
        return sum(
            n for (k, s), n in self.statuses.items() if k == kind and verdict(s) != "acknowledged"
        )


def send_until_settled(
    transport: Transport,
    call: Call,
    ledger: Ledger,
    *,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Verdict | None:
    """Send ``call``; a write is sent again (same key) until settled or ``deadline`` passes.

    A read is sent once: a board refresh that failed is simply the next one's job.
    Returns the last verdict; for a write, None when it was given up at the deadline.
    """
    wait, outcome, answer = 0.1, None, None
    while True:
        answer = _attempt(transport, call, ledger, clock)
        outcome = verdict(answer.status)
        if outcome != "retry" or call.key is None or clock() + wait > deadline:
            break
        sleep(wait)
        wait = min(wait * 2, 2.0)  # capped: a restarted server is found within 2 s
    if call.key is None:
        return outcome
    settled: Verdict | None = outcome if outcome != "retry" else None
    ledger.settle(call, settled, answer)
    return settled


def _attempt(
    transport: Transport, call: Call, ledger: Ledger, clock: Callable[[], float]
) -> Answer:
    started = clock()
    try:
        answer = transport(call)
    except (OSError, http.client.HTTPException):
        answer = Answer(NO_ANSWER, b"")
    ledger.attempt(call, answer.status, clock() - started, answer.replayed)
    return answer


class HttpTransport:
    """One keep-alive connection per thread to ``host:port``; dropped and reopened on failure."""

    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._local = threading.local()

    def __call__(self, call: Call) -> Answer:
        connection = self._connection()
        try:
            connection.request(call.method, call.path, body=call.body, headers=self._headers(call))
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self._local.connection = None
            raise
        replayed = response.getheader("Idempotent-Replayed") == "true"
        return Answer(response.status, body, replayed)

    def _connection(self) -> http.client.HTTPConnection:
        found: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if found is None:
            found = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._local.connection = found
        return found

    @staticmethod
    def _headers(call: Call) -> dict[str, str]:
        headers = dict(call.headers)
        if call.key is not None:
            headers["Idempotency-Key"] = call.key
        return headers


@dataclass(frozen=True)
class Planned:
    """A call and when to start it, in seconds from the start of the run."""

    at: float
    call: Call


async def drive(
    plan: Iterable[Planned],
    transport: Transport,
    ledger: Ledger,
    *,
    threads: int,
    time_limit: float,
    max_requests: int,
) -> float:
    """Start each planned call at its time; stop starting at ``time_limit`` or ``max_requests``.

    Writes already started may retry up to 60 s past the limit to settle.
    Returns the seconds the run took.
    """
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    deadline = started + time_limit + 60
    pending: list[asyncio.Future[Verdict | None]] = []
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="load") as pool:
        for count, planned in enumerate(sorted(plan, key=lambda p: p.at)):
            if count >= max_requests or planned.at > time_limit:
                break
            await asyncio.sleep(max(0.0, started + planned.at - time.monotonic()))
            send = partial(send_until_settled, transport, planned.call, ledger, deadline=deadline)
            pending.append(loop.run_in_executor(pool, send))
        await asyncio.gather(*pending)
    return time.monotonic() - started


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0-100) of ``samples``; NaN when there are none."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Figures:
    kind: str
    answered: int
    failed: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    def line(self) -> str:
        return (
            f"{self.kind:<12} {self.answered:>6} ok {self.failed:>5} failed "
            f"{self.per_second:>7.1f}/s  p50 {self.p50_ms:>7.1f} ms  "
            f"p95 {self.p95_ms:>7.1f} ms  p99 {self.p99_ms:>7.1f} ms"
        )


def figures(ledger: Ledger, kind: str, seconds: float) -> Figures:
    """Throughput and latency of the answered (2xx) attempts of one kind of call."""
    samples = ledger.latencies.get(kind, [])
    return Figures(
        kind=kind,
        answered=len(samples),
        failed=ledger.failures(kind),
        per_second=len(samples) / seconds if seconds > 0 else math.nan,
        p50_ms=percentile(samples, 50) * 1000,
        p95_ms=percentile(samples, 95) * 1000,
        p99_ms=percentile(samples, 99) * 1000,
    )
