"""The state document declares nothing evcc's State schema does not know (evcc's state-api e2e check),
apart from Surplus' own additions, and carries every key the schema requires."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tests.server.harness import running

HERE = Path(__file__).parent
#: Surplus' own additions to the state
EXTENSIONS = {"deviceErrors"}


def schemas() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((HERE / "openapi.state.yaml").read_text())
    return document["components"]["schemas"]


def undeclared(value: Any, schema: dict[str, Any], components: dict[str, Any], path: str) -> list[str]:
    """Keys of ``value`` that ``schema`` (following $refs into objects and arrays) does not declare."""
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    found: list[str] = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                found.append(f"{path}.{key}")
            else:
                found += undeclared(item, schema["properties"][key], components, f"{path}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += undeclared(item, schema["items"], components, f"{path}[{index}]")
    return found


async def test_the_demo_state_keys_are_evccs(tmp_path: Path) -> None:
    demo = resources.files("surplus.demo").joinpath("demo.yaml").read_text()
    async with running(tmp_path / "demo.db", config=demo) as app:
        for _ in range(3):
            await app.cycle(30)
        state = await app.state()
    components = schemas()
    extra = undeclared({k: v for k, v in state.items() if k not in EXTENSIONS}, components["State"], components, "")
    assert extra == []
    assert set(components["State"]["required"]) <= set(state)
    for loadpoint in state["loadpoints"]:
        assert set(components["Loadpoint"]["required"]) <= set(loadpoint)
    for vehicle in state["vehicles"].values():
        assert set(components["Vehicle"]["required"]) <= set(vehicle)
