"""The task queue on both storages: SQLite (the embedded default) and Redis (production).

Tasks go through real storage here: enqueued, read back by a consumer's
dequeue and executed, results fetched. Redis is the one on 127.0.0.1:6379 (as on
the CI machine); without it the Redis case is skipped and says why.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from django.utils.module_loading import autodiscover_modules, import_string
from huey.contrib.djhuey import HUEY

from surgewatch.web.settings.base import huey_settings

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _huey(config: dict[str, Any]) -> Any:
    kwargs = {k: v for k, v in config.items() if k not in ("huey_class", "consumer")}
    kwargs["name"] = f"surgewatch-test-{uuid.uuid4().hex[:8]}"  # never touch a live queue
    return import_string(config["huey_class"])(**kwargs)


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "redis":
        if not _redis_answers():
            pytest.skip("Redis is not answering on 127.0.0.1:6379 (CI runs it)")
        huey = _huey(huey_settings(REDIS_URL, tmp_path / "unused.sqlite3"))
    else:
        huey = _huey(huey_settings(None, tmp_path / "var" / "huey.sqlite3"))
    yield huey
    huey.flush()


def test_settings_pick_redis_only_when_redis_url_is_set(tmp_path: Path) -> None:
    assert huey_settings(REDIS_URL, tmp_path / "q")["huey_class"] == "huey.RedisHuey"
    sqlite = huey_settings(None, tmp_path / "var" / "q.sqlite3")
    assert sqlite["huey_class"] == "huey.SqliteHuey"
    assert (tmp_path / "var").is_dir()  # made, so the worker can open the file
    assert sqlite["immediate"] is False  # queued for the worker even when DEBUG is on


def test_a_task_survives_the_queue_and_its_result_comes_back(queue: Any) -> None:
    @queue.task()  # type: ignore[untyped-decorator]
    def add(a: int, b: int) -> int:
        return a + b

    result = add(2, 40)
    assert len(queue) == 1  # stored, waiting for a worker
    queue.execute(queue.dequeue())
    assert result.get() == 42
    assert len(queue) == 0


def test_a_failed_task_is_retried_from_storage(queue: Any) -> None:
    calls: list[int] = []

    @queue.task(retries=1)  # type: ignore[untyped-decorator]
    def flaky() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("receiver down")
        return "delivered"

    result = flaky()
    queue.execute(queue.dequeue())  # fails; huey puts it back with one retry left
    queue.execute(queue.dequeue())
    assert (len(calls), result.get()) == (2, "delivered")


def test_the_worker_knows_the_clocks_and_the_deliveries() -> None:
    autodiscover_modules("tasks")  # what `run_huey` (surgewatch worker) does at start
    periodic = {task.__name__ for task in HUEY._registry._periodic_tasks}
    assert {"tick", "deliver_due"} <= periodic
    names = set(HUEY._registry._registry)
    assert any(name.endswith("refresh_organisation") for name in names)
    assert any(name.endswith(".deliver") for name in names)
