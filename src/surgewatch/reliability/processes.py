"""The services under test, each started by the suite so it may break them (issue 8).

PostgreSQL runs as a private cluster on its own port under the run's folder,
so restarting it never touches the shared server other work uses. Redis is
a private ``redis-server`` without persistence, so kill -9 loses its queue,
as a crash would. gunicorn runs in its own process group: kill -9 takes the
master and its workers at once, with requests in flight.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def wait_for_port(port: int, seconds: float = 30.0) -> None:
    """Return once something accepts on 127.0.0.1:``port``; raise after ``seconds``."""
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing answered on 127.0.0.1:{port} within {seconds:.0f} s")


def pg_bin(name: str) -> str:
    """A PostgreSQL program: Debian's versioned folder, else the PATH."""
    found = PG_BIN / name
    if found.exists():
        return str(found)
    on_path = shutil.which(name)
    if on_path is None:
        raise FileNotFoundError(f"{name} not found; fix: install PostgreSQL server binaries")
    return on_path


def _as_postgres(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root; run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class PrivatePostgres:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/surgewatch"

    def start(self) -> None:
        data = self.folder / "data"
        if not (data / "PG_VERSION").exists():
            self._init(data)
        self._ctl(
            "start", "-w", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        )
        wait_for_port(self.port)

    def _init(self, data: Path) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        initdb = [pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
        subprocess.run(_as_postgres([*initdb, "--no-sync"]), check=True, capture_output=True)
        self._ctl(
            "start", "-w", "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        )
        createdb = [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        subprocess.run([*createdb, "surgewatch"], check=True)
        self._ctl("stop", "-w", "-m", "fast")

    def fresh_database(self) -> None:
        """Each run starts from an empty database, so the counts are this run's alone."""
        client = [pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q"]
        for sql in ("drop database if exists surgewatch", "create database surgewatch"):
            subprocess.run([*client, "-d", "postgres", "-c", sql], check=True, capture_output=True)

    def restart(self) -> None:
        """Immediate mode: backends are killed and the server recovers, as after a crash."""
        self._ctl("restart", "-w", "-m", "immediate")
        wait_for_port(self.port)

    def stop(self) -> None:
        self._ctl("stop", "-w", "-m", "fast")

    def _ctl(self, *args: str) -> None:
        argv = [pg_bin("pg_ctl"), "-D", str(self.folder / "data"), "-l", str(self.folder / "log")]
        subprocess.run(_as_postgres([*argv, *args]), check=True, capture_output=True)


class Child:
    """A program the suite runs in its own process group, so kill -9 reaches all of it."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill9(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()


def gunicorn(port: int, workers: int, env: dict[str, str], log: Path) -> Child:
    argv = [sys.executable, "-m", "gunicorn", "surgewatch.web.wsgi:application"]
    argv += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "30"]
    return Child("gunicorn", argv, env, log)


def worker(env: dict[str, str], log: Path) -> Child:
    return Child("worker", [sys.executable, "-m", "surgewatch.cli", "worker"], env, log)


def redis(port: int, log: Path) -> Child:
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    return Child("redis", [*argv, "--appendonly", "no"], dict(os.environ), log)
