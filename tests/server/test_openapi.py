"""The description Surplus serves at /api/openapi.json matches what it answers."""

from __future__ import annotations

import re
from pathlib import Path

from tests.server.harness import running

PLAUSIBLE = {
    "id": "1",
    "mode": "pv",
    "soc": "50",
    "energy": "10",
    "time": "2030-01-01T07:00:00Z",
    "name": "ev",
    "enable": "true",
    "cost": "0.2",
    "power": "100",
    "current": "10",
    "phases": "3",
    "seconds": "60",
    "priority": "1",
    "kind": "grid",
}
PARAMETER = re.compile(r"\{(\w+)\}")


async def test_every_described_operation_is_served(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        description = (await app.client.get("/api/openapi.json")).json()
        assert description["info"]["title"] == "Surplus"
        operations = [(m.upper(), p) for p, item in description["paths"].items() for m in item]
        assert len(operations) > 40
        for method, template in operations:
            path = PARAMETER.sub(lambda match: PLAUSIBLE.get(match.group(1), "1"), template)
            body = {"continuous": False, "precondition": 0} if path.endswith("/strategy") else None
            response = await app.client.request(method, path, json=body)
            assert response.status_code not in (405, 500), f"{method} {path}: {response.text}"
            if response.status_code == 404:
                assert not response.json()["error"].startswith("not found: /api"), f"{method} {path} is not routed"
