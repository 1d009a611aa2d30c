"""Tariff time zones: parsing days/hours/months, matching on the wall clock, boundaries across DST."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from surplus.tariffs.zones import ChargesZone, PriceZone, boundaries, value_at

BERLIN = ZoneInfo("Europe/Berlin")


def zone(price: float = 0.2, **conditions: str) -> PriceZone:
    return PriceZone.model_validate({**conditions, "price": price})


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def message(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(error.value.errors()[0]["ctx"]["error"])


@pytest.mark.parametrize(
    ("days", "monday", "friday", "saturday", "sunday"),
    [
        ("Mon-Fri", True, True, False, False),
        ("Sat,Sun", False, False, True, True),
        ("Mo-Fr", True, True, False, False),
        ("Sa,So", False, False, True, True),
        ("fri-mon", True, True, True, True),  # wraps over the weekend, case does not matter
        ("Monday, Saturday", True, False, True, False),
    ],
)
def test_days(days: str, monday: bool, friday: bool, saturday: bool, sunday: bool) -> None:
    z = zone(days=days)
    # 2025-06-02 is a Monday
    assert [z.matches(local(2025, 6, d, 12)) for d in (2, 6, 7, 8)] == [monday, friday, saturday, sunday]


@pytest.mark.parametrize(
    ("months", "inside", "outside"),
    [
        ("Nov-Mar", [11, 12, 1, 3], [4, 10]),
        ("Jan,Oct-Dec", [1, 10, 12], [2, 9]),
        ("Jun", [6], [5, 7]),
        ("Mai-Sep", [5, 9], [4, 10]),
        ("Dez", [12], [11]),
    ],
)
def test_months(months: str, inside: list[int], outside: list[int]) -> None:
    z = zone(months=months)
    assert all(z.matches(local(2025, m, 15, 12)) for m in inside)
    assert not any(z.matches(local(2025, m, 15, 12)) for m in outside)


@pytest.mark.parametrize(
    ("hours", "inside", "outside"),
    [
        ("0-5", ["00:00", "04:59"], ["05:00", "23:59"]),
        ("15:30-21", ["15:30", "20:59"], ["15:29", "21:00"]),
        ("22-6", ["22:00", "23:59", "00:00", "05:59"], ["06:00", "21:59"]),
        ("15-0", ["15:00", "23:59"], ["00:00", "14:59"]),
        ("17-24", ["17:00", "23:59"], ["00:00", "16:59"]),
        ("0-11,15-0", ["10:59", "15:00"], ["11:00", "14:59"]),
        ("0-0", ["00:00", "12:00", "23:59"], []),
    ],
)
def test_hours(hours: str, inside: list[str], outside: list[str]) -> None:
    z = zone(hours=hours)

    def at(text: str) -> datetime:
        hour, minute = map(int, text.split(":"))
        return local(2025, 6, 2, hour, minute)

    assert all(z.matches(at(t)) for t in inside)
    assert not any(z.matches(at(t)) for t in outside)


def test_all_conditions_must_hold_and_empty_ones_always_do() -> None:
    z = zone(days="Mon-Fri", hours="17-20", months="Nov-Mar")
    assert z.matches(local(2025, 12, 1, 18))  # a Monday in December
    assert not z.matches(local(2025, 12, 6, 18))  # a Saturday
    assert not z.matches(local(2025, 6, 2, 18))  # June
    assert not z.matches(local(2025, 12, 1, 16))
    assert zone().matches(local(2025, 6, 2, 3))


def test_numbers_from_yaml_are_read_as_text() -> None:
    with pytest.raises(ValidationError) as error:
        PriceZone.model_validate({"hours": 5, "price": 0.1})
    assert "'5' in hours '5' is not a range" in message(error)


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("days", "Mon-Fry", "'Fry' in days 'Mon-Fry' is not a day name; write day names or ranges such as Mon-Fri"),
        ("days", "Mon-Wed-Fri", "'Mon-Wed-Fri' in days 'Mon-Wed-Fri' is not a name or a range"),
        ("months", "Nov-", "'Nov-' in months 'Nov-' is not a name or a range; write month names or ranges"),
        ("months", "Smarch", "'Smarch' in months 'Smarch' is not a month name"),
        ("hours", "17", "'17' in hours '17' is not a range from-to; write time ranges such as 0-5, 15:30-21 or 22-6"),
        ("hours", "25-3", "'25' in hours '25-3' is not a time of day"),
        ("hours", "8:7-9", "'8:7' in hours '8:7-9' is not a time"),
        ("hours", "24:30-1", "'24:30' in hours '24:30-1' is not a time of day"),
    ],
)
def test_parse_errors_name_the_text_and_the_allowed_forms(key: str, text: str, expected: str) -> None:
    with pytest.raises(ValidationError) as error:
        PriceZone.model_validate({key: text, "price": 0.1})
    assert message(error).startswith(expected)


def test_zone_keys() -> None:
    with pytest.raises(ValidationError, match="unknown key 'charges'; allowed keys: days, hours, months, price"):
        PriceZone.model_validate({"charges": 0.1})
    with pytest.raises(ValidationError, match="charges"):
        ChargesZone.model_validate({"hours": "0-6"})
    assert ChargesZone.model_validate({"hours": "0-6", "charges": 0.03}).value == 0.03


def test_last_matching_zone_wins() -> None:
    zones = [zone(0.2, hours="0-12"), zone(0.1, hours="6-8")]
    assert value_at(zones, local(2025, 6, 2, 7), 0.3) == 0.1
    assert value_at(zones, local(2025, 6, 2, 9), 0.3) == 0.2
    assert value_at(zones, local(2025, 6, 2, 13), 0.3) == 0.3
    assert value_at([], local(2025, 6, 2, 13), 0.3) == 0.3


def walls(instants: list[datetime]) -> list[str]:
    return [i.astimezone(BERLIN).strftime("%d %H:%M%z") for i in instants]


def test_boundaries_on_an_ordinary_day() -> None:
    found = boundaries([zone(hours="2-5"), zone(hours="15:30-21")], local(2025, 6, 2), local(2025, 6, 3), BERLIN)
    assert walls(found) == ["02 02:00+0200", "02 05:00+0200", "02 15:30+0200", "02 21:00+0200"]
    assert all(b.tzinfo is UTC for b in found)


def test_boundaries_are_only_where_a_match_changes() -> None:
    # midnight is no boundary of a zone running 22-6, and two zones meeting at 06:00 give one boundary
    found = boundaries([zone(hours="22-6")], local(2025, 6, 2), local(2025, 6, 3), BERLIN)
    assert walls(found) == ["02 06:00+0200", "02 22:00+0200"]
    found = boundaries([zone(hours="0-6"), zone(hours="0-6")], local(2025, 6, 2), local(2025, 6, 3), BERLIN)
    assert walls(found) == ["02 06:00+0200"]


def test_spring_forward_a_zone_starting_in_the_gap_starts_at_the_jump() -> None:
    # 2026-03-29: at 02:00 CET the clocks jump to 03:00 CEST; 02:00-02:59 never happens
    found = boundaries([zone(hours="2-5")], local(2026, 3, 29), local(2026, 3, 30), BERLIN)
    assert walls(found) == ["29 03:00+0200", "29 05:00+0200"]
    assert found[0] == datetime(2026, 3, 29, 1, tzinfo=UTC)


def test_fall_back_a_boundary_in_the_repeated_hour_happens_twice() -> None:
    # 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET; 02:00-02:59 happens twice
    found = boundaries([zone(hours="2:30-5")], local(2026, 10, 25), local(2026, 10, 26), BERLIN)
    assert walls(found) == ["25 02:30+0200", "25 02:00+0100", "25 02:30+0100", "25 05:00+0100"]
    assert [b.hour for b in found] == [0, 1, 1, 4]  # UTC


def test_day_and_month_zones_change_at_local_midnight() -> None:
    found = boundaries([zone(days="Sat,Sun")], local(2025, 6, 2), local(2025, 6, 9), BERLIN)
    assert walls(found) == ["07 00:00+0200"]  # Sunday ends exactly at the end of the range
    found = boundaries([zone(months="Nov-Mar")], local(2026, 3, 30), local(2026, 4, 2), BERLIN)
    assert walls(found) == ["01 00:00+0200"]


def test_boundaries_in_utc_and_empty_cases() -> None:
    start = datetime(2025, 6, 2, tzinfo=UTC)
    found = boundaries([zone(hours="1-2")], start, start + timedelta(days=1), UTC)
    assert [b.hour for b in found] == [1, 2]
    assert boundaries([], start, start + timedelta(days=1), UTC) == []
    assert boundaries([zone(hours="1-2")], start, start, UTC) == []
