"""Running ``surplus`` as a real subprocess, the way a user does; every process started is stopped."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SERVING = re.compile(r"serving http://[^:]+:(\d+)")


@dataclass
class Running:
    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=5)

    def output(self) -> str:
        return "\n".join(self.lines)

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 5.0) -> tuple[int, float]:
        """Send ``sig``; returns (exit status, seconds until the process ended)."""
        started = time.monotonic()
        self.process.send_signal(sig)
        status = self.process.wait(timeout=timeout)
        return status, time.monotonic() - started


def wait_until_healthy(app: Running, timeout: float) -> None:
    """Until the first control cycle has completed (what /api/health reports), as a supervisor would wait."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise AssertionError("surplus stopped during start-up:\n" + app.output())
        try:
            if httpx.get(app.url + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("surplus did not complete a control cycle:\n" + app.output())


def surplus_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "surplus", *arguments]


def run_once(
    arguments: Sequence[str], env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        surplus_command(*arguments), capture_output=True, text=True, timeout=timeout, env=env or clean_env()
    )


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SURPLUS_", "EVCC_"))}
    env.update(extra)
    return env


@contextmanager
def running(
    arguments: Sequence[str], cwd: Path, env: dict[str, str] | None = None, startup: float = 60
) -> Iterator[Running]:
    """Start surplus on 127.0.0.1 with a free port; yield once it serves; kill it if the test did not stop it."""
    process = subprocess.Popen(
        surplus_command("--bind", "127.0.0.1", *arguments),
        cwd=cwd,
        env=env or clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    port: list[int] = []
    ready = threading.Event()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line.rstrip("\n"))
            match = SERVING.search(line)
            if match and not port:
                port.append(int(match.group(1)))
                ready.set()
        ready.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        if not ready.wait(startup) or not port:
            raise AssertionError("surplus did not start serving:\n" + "\n".join(lines))
        app = Running(process, port[0], lines)
        wait_until_healthy(app, startup)
        yield app
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        reader.join(timeout=5)
