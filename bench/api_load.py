"""HTTP latency under load, and the control loop's punctuality meanwhile.

Starts the demo (10x speed: one control cycle per real second), then 50 concurrent connections request
/api/state (45) and POST one setter (5) for a while. Prints p50/p99 latency and requests per second per route,
and how late the control cycles started while the load ran (from the loop's own debug log).

The load comes from wrk when it is installed (Debian: apt install wrk); otherwise from httpx clients in this
process, which measure the client as much as the server on a small machine.

    .venv/bin/python bench/api_load.py [seconds]
"""

from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.process import running

STATE, SETTER = "/api/state", "/api/residualpower/50"
CONNECTIONS = {STATE: 45, SETTER: 5}
SPEED = 10
CYCLE = re.compile(r"cycle took ([\d.]+) ms, started ([\d.]+) ms after it was due")
WRK_PERCENTILE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class Result:
    requests_per_second: float
    p50: float
    p99: float


def wrk(url: str, path: str, connections: int, seconds: float, folder: Path) -> subprocess.Popen[str]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    if path == SETTER:
        script = folder / "post.lua"
        script.write_text('wrk.method = "POST"\n')
        command += ["-s", str(script)]
    return subprocess.Popen([*command, url + path], stdout=subprocess.PIPE, text=True)


def parse_wrk(output: str) -> Result:
    percentiles = {int(p): float(v) * UNITS[u] for p, v, u in WRK_PERCENTILE.findall(output)}
    rate = WRK_RATE.search(output)
    return Result(float(rate.group(1)) if rate else 0.0, percentiles.get(50, 0.0), percentiles.get(99, 0.0))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def httpx_load(url: str, seconds: float) -> dict[str, Result]:
    until = time.monotonic() + seconds
    latencies: dict[str, list[float]] = {STATE: [], SETTER: []}

    async def client(path: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            while time.monotonic() < until:
                started = time.perf_counter()
                response = await http.request("POST" if path == SETTER else "GET", path)
                latencies[path].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text

    await asyncio.gather(*(client(path) for path, count in CONNECTIONS.items() for _ in range(count)))
    return {
        path: Result(len(values) / seconds, percentile(values, 0.5), percentile(values, 0.99))
        for path, values in latencies.items()
    }


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    tool = "wrk" if shutil.which("wrk") else "httpx"
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        arguments = ["--demo", "--demo-speed", str(SPEED), "--port", "0", "--log", "info,site:debug"]
        with running([*arguments, "--database", str(folder / "bench.db")], folder) as app:
            time.sleep(3)
            quiet = len(app.lines)
            if tool == "wrk":
                runs = {path: wrk(app.url, path, count, seconds, folder) for path, count in CONNECTIONS.items()}
                results = {path: parse_wrk(run.communicate()[0]) for path, run in runs.items()}
            else:
                results = asyncio.run(httpx_load(app.url, seconds))
            cycles = [CYCLE.search(line) for line in app.lines[quiet:]]
            app.stop()
    total = sum(CONNECTIONS.values())
    print(f"{total} concurrent connections ({tool}) for {seconds:g} s against the demo, one control cycle per second")
    for path, result in results.items():
        print(
            f"  {('POST ' if path == SETTER else 'GET ') + path:28s} {result.requests_per_second:7.0f} req/s  "
            f"p50 {result.p50:6.2f} ms  p99 {result.p99:6.2f} ms"
        )
    timings = [(float(m.group(1)) / SPEED, float(m.group(2)) / SPEED) for m in cycles if m]
    if timings:
        late = [lateness for _, lateness in timings]
        print(
            f"  control loop under load: {len(timings)} cycles, each {statistics.median(t for t, _ in timings):.1f} ms "
            f"median; started late by {statistics.median(late):.1f} ms median, {max(late):.1f} ms at most"
        )
    worst = max(result.p99 for result in results.values())
    print(f"  target p99 < 20 ms: {'met' if worst < 20 else 'missed'} ({worst:.2f} ms worst p99)")


if __name__ == "__main__":
    main()
