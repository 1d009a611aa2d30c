import asyncio
import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from surplus.core.types import ChargeMode
from surplus.state import State, to_json


def test_document_puts_site_keys_on_top_and_loadpoint_keys_in_the_array() -> None:
    state = State(loadpoints=2)
    state.publish("pvPower", 1234.56789)
    state.publish("chargePower", 3700.0, loadpoint=1)
    state.publish("mode", ChargeMode.PV, loadpoint=0)
    assert state.document() == {
        "loadpoints": [{"mode": "pv"}, {"chargePower": 3700.0}],
        "pvPower": 1234.568,
    }


def test_json_forms_follow_evcc() -> None:
    assert to_json(math.nan) is None
    assert to_json(math.inf) is None
    assert to_json(timedelta(minutes=2)) == 120
    assert to_json(datetime(2026, 6, 1, 8, 0, tzinfo=UTC)) == "2026-06-01T08:00:00Z"
    assert to_json(datetime(2026, 6, 1, 8, 0, tzinfo=timezone(timedelta(hours=2)))) == "2026-06-01T08:00:00+02:00"
    assert to_json({"a": [1.00049, (2, 3)]}) == {"a": [1.0, [2, 3]]}
    with pytest.raises(TypeError, match="object"):
        to_json(object())


async def test_subscribers_see_changes_only() -> None:
    state = State(loadpoints=1)
    with state.subscribe() as subscription:
        assert state.publish("pvPower", 100.0)
        assert not state.publish("pvPower", 100.0001)  # below the published precision: not a change
        state.publish("charging", True, loadpoint=0)
        changes = await asyncio.wait_for(subscription.changes(), 1)
        assert changes == {(None, "pvPower"): 100.0, (0, "charging"): True}
        state.publish("pvPower", 100.0)
        waiting = asyncio.ensure_future(subscription.changes())
        await asyncio.sleep(0)
        assert not waiting.done()
        waiting.cancel()


async def test_a_slow_subscriber_gets_the_latest_value_per_key() -> None:
    state = State()
    subscription = state.subscribe()
    for power in range(1000):
        state.publish("gridPower", float(power))
    assert await subscription.changes() == {(None, "gridPower"): 999.0}
    subscription.close()
    state.publish("gridPower", 1.0)
    assert subscription._pending == {}


def test_publishing_to_a_missing_loadpoint_is_an_error() -> None:
    with pytest.raises(IndexError):
        State(loadpoints=1).publish("mode", "pv", loadpoint=1)


def test_keys_published_after_a_document_was_built_appear_in_order() -> None:
    state = State(loadpoints=1)
    state.publish("pvPower", 1.0)
    state.publish("mode", ChargeMode.PV, loadpoint=0)
    assert list(state.document()) == ["loadpoints", "pvPower"]
    state.publish("gridPower", 2.0)
    state.publish("charging", False, loadpoint=0)
    document = state.document()
    assert list(document) == ["gridPower", "loadpoints", "pvPower"]
    assert document["loadpoints"] == [{"charging": False, "mode": "pv"}]


def test_republishing_a_list_changed_in_place_is_a_change() -> None:
    state = State()
    currents = [6.0, 6.0, 6.0]
    state.publish("chargeCurrents", currents)
    currents[0] = 16.0
    assert state.publish("chargeCurrents", currents)
    assert state.document()["chargeCurrents"] == [16.0, 6.0, 6.0]


def test_an_equal_value_of_another_type_is_a_change() -> None:
    state = State()
    state.publish("limitSoc", 80)
    assert not state.publish("limitSoc", 80)
    assert state.publish("limitSoc", 80.5)
    assert state.publish("enabled", 1)
    assert state.publish("enabled", True)
    assert state.document()["enabled"] is True
    state.publish("gridPower", math.nan)
    assert not state.publish("gridPower", math.nan)  # NaN is published as null both times
