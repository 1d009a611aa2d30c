"""A simulated Shelly, gen1 or gen2, over real HTTP (facts from Shelly's public API docs).

Models: ``plug`` (a relay with a power meter: Plug S / Plus Plug S), ``3em`` (three phases: gen1 3EM with its
relay, gen2 Pro 3EM), ``em`` (two channels: gen1 EM, gen2 Pro EM) and ``pm`` (gen2 PM Mini, a meter without
relay). ``powers``, ``energies_wh`` and ``returned_wh`` hold one value per phase or channel; a plug draws its
``powers[0]`` only while its relay is on. With a ``password`` gen1 asks for basic auth and gen2 for digest auth
(user ``admin``), except at ``/shelly``, as the devices do.
"""

from __future__ import annotations

from typing import Any, Literal

from surplus.devices.sim.native_http import JsonDeviceFake, NoRoute

Model = Literal["plug", "3em", "em", "pm"]
GEN1_TYPES: dict[str, str] = {"plug": "SHPLG-S", "3em": "SHEM-3", "em": "SHEM"}
GEN2_MODELS: dict[str, str] = {
    "plug": "SNPL-00112EU",
    "3em": "SPEM-003CEBEU",
    "em": "SPEM-002CEBEU50",
    "pm": "S3PM-001PCEU16",
}
ENTRIES = {"plug": 1, "3em": 3, "em": 2, "pm": 1}
VOLTAGE = 230.0


class ShellyFake(JsonDeviceFake):
    def __init__(self, generation: Literal[1, 2] = 2, model: Model = "plug", password: str = "") -> None:
        if generation == 1 and model == "pm":
            raise ValueError("the PM Mini is a gen2 device")
        super().__init__(
            auth=(None if not password else "basic" if generation == 1 else "digest"),
            user="admin",
            password=password,
            realm="shellyfake-0123456789ab",
            public=frozenset({"/shelly"}),
        )
        self.generation = generation
        self.model = model
        self.on = False
        count = ENTRIES[model]
        self.powers = [0.0] * count
        self.energies_wh = [0.0] * count
        self.returned_wh = [0.0] * count

    def power(self, index: int) -> float:
        """What entry ``index`` measures: a plug measures nothing while its relay is off."""
        return self.powers[index] if self.on or self.model != "plug" else 0.0

    def handle(self, path: str, query: dict[str, str]) -> Any:
        if path == "/shelly" or (path == "/rpc/Shelly.GetDeviceInfo" and self.generation == 2):
            return self._info()
        if self.generation == 1:
            if path == "/status":
                return self._gen1_status()
            if path == "/relay/0":
                self.on = {"on": True, "off": False, "toggle": not self.on}.get(query.get("turn", ""), self.on)
                return {"ison": self.on, "has_timer": False}
            raise NoRoute(path)
        return self._rpc(path.removeprefix("/rpc/"), query)

    def _info(self) -> dict[str, Any]:
        if self.generation == 1:
            return {"type": GEN1_TYPES[self.model], "mac": "0123456789AB", "auth": bool(self.password), "fw": "1.14"}
        return {
            "gen": 2,
            "id": "shellyfake-0123456789ab",
            "model": GEN2_MODELS[self.model],
            "mac": "0123456789AB",
            "ver": "1.4.4",
            "auth_en": bool(self.password),
            "auth_domain": self.realm if self.password else None,
        }

    def _gen1_status(self) -> dict[str, Any]:
        status: dict[str, Any] = {"relays": [{"ison": self.on}]}
        if self.model == "plug":
            status["meters"] = [{"power": self.power(0), "is_valid": True, "total": round(self.energies_wh[0] * 60)}]
        else:
            status["emeters"] = [
                {
                    "power": self.power(n),
                    "voltage": VOLTAGE,
                    "current": self.power(n) / VOLTAGE,
                    "pf": 1.0,
                    "total": self.energies_wh[n],
                    "total_returned": self.returned_wh[n],
                    "is_valid": True,
                }
                for n in range(len(self.powers))
            ]
        return status

    def _switch(self, channel: int) -> dict[str, Any]:
        power = self.power(channel)
        status: dict[str, Any] = {
            "id": channel,
            "apower": power,
            "voltage": VOLTAGE,
            "current": power / VOLTAGE,
            "aenergy": {"total": self.energies_wh[channel], "by_minute": [0.0, 0.0, 0.0], "minute_ts": 1},
        }
        if self.model == "plug":
            status |= {"source": "http", "output": self.on, "temperature": {"tC": 30.0, "tF": 86.0}}
        else:
            status["ret_aenergy"] = {"total": self.returned_wh[channel]}
        return status

    def _components(self) -> dict[str, Any]:
        if self.model in ("plug", "pm"):
            return {f"{'switch' if self.model == 'plug' else 'pm1'}:0": self._switch(0), "sys": {"uptime": 1}}
        if self.model == "em":
            components: dict[str, Any] = {}
            for n in range(2):
                power = self.power(n)
                components[f"em1:{n}"] = {"id": n, "current": power / VOLTAGE, "voltage": VOLTAGE, "act_power": power}
                components[f"em1data:{n}"] = {
                    "id": n,
                    "total_act_energy": self.energies_wh[n],
                    "total_act_ret_energy": self.returned_wh[n],
                }
            return components
        phases: dict[str, float] = {}
        for n, phase in enumerate("abc"):
            power = self.power(n)
            phases |= {f"{phase}_act_power": power, f"{phase}_current": power / VOLTAGE, f"{phase}_voltage": VOLTAGE}
        return {
            "em:0": {"id": 0, **phases, "total_act_power": sum(self.powers), "total_current": 0.0},
            "emdata:0": {"id": 0, "total_act": sum(self.energies_wh), "total_act_ret": sum(self.returned_wh)},
        }

    def _rpc(self, method: str, query: dict[str, str]) -> Any:
        if method == "Shelly.GetStatus":
            return self._components()
        if method in ("Switch.GetStatus", "Switch.Set"):
            if self.model != "plug" or query.get("id", "0") != "0":
                raise ValueError(f"Argument 'id', value {query.get('id')} not found!")
            if method == "Switch.GetStatus":
                return self._switch(0)
            was_on, self.on = self.on, query.get("on") == "true"
            return {"was_on": was_on}
        raise NoRoute(method)
