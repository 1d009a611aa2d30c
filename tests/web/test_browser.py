"""The web UI in a real Chromium against the demo: live values, modes, plans, sessions, languages, lost connections.

One demo server and one browser serve the whole module; every test opens its own browser context (storage, locale,
colour scheme). The browser is Debian's chromium (``make system-deps``); Playwright never downloads one.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.process import Running, running
from tests.server.sessions_fixture import sessions_database

# the browser is the system's; nothing here may fetch one
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# at demo speed 20 a control cycle (10 s of demo time) takes half a second
DEMO = ["--demo", "--demo-speed", "20"]
#: a vehicle name that would run script if the page ever used innerHTML
HOSTILE = '<img src=x onerror="document.body.dataset.injected=1">'
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
DIGIT = re.compile(r"\d")
#: the page and every element that scrolls sideways, when its content is wider than what it shows
WIDER_THAN_SHOWN = """() => [document.documentElement, ...document.querySelectorAll('*')]
    .filter((element) => element === document.documentElement
        || ['auto', 'scroll'].includes(getComputedStyle(element).overflowX))
    .filter((element) => element.scrollWidth > element.clientWidth)
    .map((element) => `${element.className || element.tagName}: ${element.scrollWidth} > ${element.clientWidth}`)"""


@dataclass
class Session:
    """A page and what its console said; failing requests the test provoked on purpose can be allowed."""

    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)

    def assert_clean(self, allowed: tuple[str, ...] = ()) -> None:
        unexpected = [error for error in self.errors if not any(part in error for part in allowed)]
        assert unexpected == [], unexpected


def seed_database(path: Path) -> Path:
    """The hand-written sessions of the server tests, plus one whose vehicle name is markup."""
    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(1) as worker:
        worker.submit(asyncio.run, sessions_database(path)).result()
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO sessions (id, created, finished, loadpoint, identifier, vehicle, charged_kwh, charge_duration,"
            " solar_percentage, price, price_per_kwh) VALUES (99, '2024-06-20 08:00:00+00:00',"
            " '2024-06-20 09:00:00+00:00', 'Carport', '', ?, 4.2, 3600000000000, 50, 1.05, 0.25)",
            (HOSTILE,),
        )
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("web")
    database = seed_database(folder / "surplus.db")
    with running([*DEMO, "--port", "0", "--database", str(database)], cwd=folder) as app:
        yield app
        app.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: run `make system-deps`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser: Browser, url: str, **options: Any) -> Session:
    settings = {"viewport": PHONE, "locale": "en-GB", "timezone_id": "UTC", **options}
    context = browser.new_context(**settings)
    context.set_default_timeout(10_000)
    page = context.new_page()
    session = Session(context, page)
    page.on("console", lambda message: session.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: session.errors.append(str(error)))
    page.goto(url)
    # the cards exist once the first state arrived, whichever page the URL shows
    expect(page.get_by_test_id("loadpoint-1")).to_be_attached()
    return session


@pytest.fixture
def session(browser: Browser, server: Running) -> Iterator[Session]:
    opened = open_page(browser, server.url + "/")
    yield opened
    opened.context.close()


def state(server: Running, query: str) -> Any:
    response = httpx.get(f"{server.url}/api/state", params={"jq": query}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_page_loads_without_errors_and_its_values_change_without_reload(session: Session) -> None:
    page = session.page
    # a reload would start a new document without this mark
    page.evaluate("window.surplusTestMark = true")
    tiles = page.locator(".energy .tiles")
    expect(page.get_by_test_id("tile-pv").locator(".tile-value")).to_have_text(DIGIT)
    first = tiles.inner_text()
    expect(tiles).not_to_have_text(first, timeout=15_000)
    expect(page.get_by_test_id("loadpoint-1").locator(".lp-title")).to_have_text("Carport")
    expect(page.get_by_test_id("loadpoint-2").locator(".lp-title")).to_have_text("Garage")
    assert page.evaluate("window.surplusTestMark") is True
    session.assert_clean()


def test_every_control_has_a_name_and_the_dictionaries_agree(session: Session) -> None:
    page = session.page
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('button, select, input, a[href]')]
            .filter((control) => control.checkVisibility() || control.closest('dialog'))
            .filter((control) => !(control.labels?.length || control.getAttribute('aria-label')
                || control.getAttribute('aria-labelledby') || control.textContent.trim()))
            .map((control) => control.outerHTML)"""
    )
    assert unnamed == []
    keys = page.evaluate(
        """async () => {
            const de = (await import('/assets/js/lang/de.js')).default;
            const en = (await import('/assets/js/lang/en.js')).default;
            return [Object.keys(de).sort(), Object.keys(en).sort()];
        }"""
    )
    assert keys[0] == keys[1]
    session.assert_clean()


def test_a_mode_button_changes_the_mode_in_the_api(session: Session, server: Running) -> None:
    card = session.page.get_by_test_id("loadpoint-2")
    fast = card.get_by_role("button", name="Fast", exact=True)
    fast.click()
    expect(fast).to_have_attribute("aria-pressed", "true")
    assert state(server, ".loadpoints[1].mode") == "now"
    # the buttons are real buttons: focus and Enter work without a mouse
    solar = card.get_by_role("button", name="Solar", exact=True)
    solar.focus()
    session.page.keyboard.press("Enter")
    expect(solar).to_have_attribute("aria-pressed", "true")
    expect(fast).to_have_attribute("aria-pressed", "false")
    assert state(server, ".loadpoints[1].mode") == "pv"
    session.assert_clean()


def test_a_plan_set_in_the_dialog_is_the_loadpoints_plan(session: Session, server: Running) -> None:
    page = session.page
    card = page.get_by_test_id("loadpoint-1")
    # the demo's clock runs ahead of the wall clock: plan relative to its rates, which begin at its present
    rates = httpx.get(f"{server.url}/api/tariff/planner", timeout=5).json()["rates"]
    now = datetime.fromisoformat(rates[0]["start"].replace("Z", "+00:00"))
    target = (now + timedelta(hours=20)).replace(minute=0, second=0, microsecond=0)
    card.get_by_test_id("plan-edit").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Charge to").select_option("80")
    dialog.get_by_label("Ready by").fill(target.strftime("%Y-%m-%dT%H:%M"))
    expect(dialog.locator(".plan-preview")).to_contain_text("Takes about")
    dialog.get_by_role("button", name="Save plan").click()
    expect(dialog).to_be_hidden()

    expect(card.get_by_test_id("plan-summary")).to_contain_text("80%")
    plan = httpx.get(f"{server.url}/api/loadpoints/1/plan", timeout=5).json()
    assert datetime.fromisoformat(plan["planTime"].replace("Z", "+00:00")) == target
    assert plan["planId"] > 0 and plan["plan"]
    assert state(server, ".vehicles.hatchback.plan.soc") == 80
    # the planned slots are drawn on the card's price chart
    expect(card.locator(".bar.planned").first).to_be_attached()

    card.get_by_test_id("plan-edit").click()
    dialog.get_by_role("button", name="Remove plan").click()
    expect(dialog).to_be_hidden()
    expect(card.get_by_test_id("plan-summary")).to_contain_text("No plan")
    assert httpx.get(f"{server.url}/api/loadpoints/1/plan", timeout=5).json()["planId"] == 0
    session.assert_clean()


def test_sessions_by_month_and_the_csv_download(session: Session, server: Running) -> None:
    page = session.page
    page.get_by_role("link", name="Sessions").click()
    table = page.get_by_test_id("sessions-table")
    june = table.locator("tbody", has=page.get_by_role("rowheader", name="June 2024"))
    # 0.09996 + 0.1 + 4.2 kWh in June 2024
    expect(june.locator("tr.month")).to_contain_text("4.4 kWh")
    expect(june.locator("tr:not(.month)")).to_have_count(3)
    expect(table.get_by_role("rowheader", name="May 2023")).to_be_visible()
    # a vehicle called like markup is shown as text, never parsed
    expect(table.get_by_text(HOSTILE)).to_be_visible()
    assert page.evaluate("document.body.dataset.injected") is None
    assert table.locator("img").count() == 0

    with page.expect_download() as download_info:
        page.get_by_test_id("sessions-csv").click()
    download = download_info.value
    assert download.suggested_filename == "session.csv"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbfCreated,Finished,Charging point")

    page.get_by_label("Year").select_option("2024")
    assert page.get_by_test_id("sessions-csv").get_attribute("href") == "/api/sessions?format=csv&lang=en&year=2024"
    expect(table.get_by_role("rowheader", name="May 2023")).to_have_count(0)
    session.assert_clean()


def test_the_language_follows_the_browser_and_the_switch_is_remembered(browser: Browser, server: Running) -> None:
    opened = open_page(browser, server.url + "/#/sessions", locale="de-DE")
    page = opened.page
    try:
        expect(page.get_by_role("link", name="Übersicht")).to_be_visible()
        expect(page.get_by_test_id("sessions-csv")).to_have_attribute("href", "/api/sessions?format=csv&lang=de")
        assert page.evaluate("document.documentElement.lang") == "de"
        page.get_by_role("button", name="EN", exact=True).click()
        expect(page.get_by_role("link", name="Overview")).to_be_visible()
        expect(page.get_by_role("button", name="EN", exact=True)).to_be_focused()
        expect(page.get_by_test_id("sessions-csv")).to_have_attribute("href", "/api/sessions?format=csv&lang=en")
        page.reload()
        expect(page.get_by_role("link", name="Overview")).to_be_visible()
        assert page.evaluate("document.documentElement.lang") == "en"
        opened.assert_clean()
    finally:
        opened.context.close()


def test_settings_are_saved_and_a_refusal_is_explained(session: Session, server: Running) -> None:
    page = session.page
    card = page.get_by_test_id("loadpoint-1")
    card.get_by_role("button", name="Settings for Carport").click()
    dialog = page.get_by_role("dialog", name="Settings · Carport")
    maximum = dialog.get_by_label("Maximum current (A)")
    maximum.fill("14")
    with page.expect_response("**/api/loadpoints/1/maxcurrent/14") as answer:
        maximum.press("Tab")
    assert answer.value.ok
    assert state(server, ".loadpoints[0].maxCurrent") == 14
    expect(dialog.get_by_role("alert")).to_be_empty()
    minimum = dialog.get_by_label("Minimum current (A)")
    minimum.fill("15")
    minimum.press("Tab")
    expect(dialog.get_by_role("alert")).to_contain_text("min current")
    expect(minimum).to_have_value("6")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    httpx.post(f"{server.url}/api/loadpoints/1/maxcurrent/16", timeout=5)

    page.get_by_role("link", name="Battery").click()
    with page.expect_response("**/api/buffersoc/50"):
        page.get_by_label("Cars may use the battery above").select_option("50")
    page.get_by_label("Home battery first up to").select_option("80")
    expect(page.locator(".battery-page").get_by_role("alert")).to_contain_text("prioritysoc")
    expect(page.get_by_label("Home battery first up to")).to_have_value("0")
    assert state(server, "[.bufferSoc, .prioritySoc]") == [50, 0]
    with page.expect_response("**/api/batterydischargecontrol/true"):
        page.get_by_label("Keep the battery while charging fast or to plan").check()
    assert state(server, ".batteryDischargeControl") is True
    httpx.post(f"{server.url}/api/buffersoc/0", timeout=5)
    httpx.post(f"{server.url}/api/batterydischargecontrol/false", timeout=5)
    # the refused setting is a 400, which the browser reports on its console by itself
    session.assert_clean(allowed=("status of 400",))


def test_the_theme_switch_is_remembered(browser: Browser, server: Running) -> None:
    opened = open_page(browser, server.url + "/", color_scheme="dark")
    page = opened.page
    try:
        background = "getComputedStyle(document.body).backgroundColor"
        dark = page.evaluate(background)
        switch = page.get_by_role("button", name=re.compile("Colour scheme"))
        expect(switch).to_have_accessible_name("Colour scheme: as the system")
        switch.click()
        expect(switch).to_have_accessible_name("Colour scheme: light")
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        assert page.evaluate(background) != dark
        page.reload()
        expect(page.get_by_role("button", name="Colour scheme: light")).to_be_visible()
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        opened.assert_clean()
    finally:
        opened.context.close()


def test_a_lost_connection_is_shown_and_recovers_when_the_server_is_back(browser: Browser, tmp_path: Path) -> None:
    arguments = [*DEMO, "--database", str(tmp_path / "lost.db")]
    with running([*arguments, "--port", "0"], cwd=tmp_path) as first:
        opened = open_page(browser, first.url + "/")
        port = first.port
        page = opened.page
        banner = page.get_by_test_id("connection-banner")
        expect(banner).to_have_count(0)
        first.stop()
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Connection to Surplus lost")
        expect(page.locator("[aria-live=assertive]", has=banner)).to_have_count(1)
    try:
        with running([*arguments, "--port", str(port)], cwd=tmp_path) as second:
            expect(banner).to_have_count(0, timeout=20_000)
            tiles = page.locator(".energy .tiles")
            shown = tiles.inner_text()
            expect(tiles).not_to_have_text(shown, timeout=15_000)
            second.stop()
        # the browser says so itself when a websocket cannot connect; nothing else may have gone wrong
        opened.assert_clean(allowed=("WebSocket connection to",))
    finally:
        opened.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_on_a_phone_and_a_desktop(browser: Browser, server: Running, scheme: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("390x844", PHONE), ("1440x900", DESKTOP)):
        opened = open_page(browser, server.url + "/", viewport=viewport, color_scheme=scheme)
        page = opened.page
        try:
            expect(page.get_by_test_id("tile-pv").locator(".tile-value")).to_have_text(DIGIT)
            for view in ("overview", "battery", "sessions"):
                if view != "overview":
                    page.get_by_role("link", name=view.capitalize()).click()
                if view == "sessions":
                    expect(page.get_by_test_id("sessions-table")).to_be_visible()
                # nothing may stick out sideways: the page is as wide as the screen, and no part of it scrolls
                assert page.evaluate(WIDER_THAN_SHOWN) == [], f"{view} at {name}"
                page.screenshot(path=SCREENSHOTS / f"{view}-{name}-{scheme}.png", full_page=True)
            page.get_by_role("link", name="Overview").click()
            page.get_by_test_id("loadpoint-1").get_by_test_id("plan-edit").click()
            expect(page.get_by_role("dialog").locator(".plan-preview")).to_contain_text("Takes about")
            page.screenshot(path=SCREENSHOTS / f"plan-{name}-{scheme}.png")
            opened.assert_clean()
        finally:
            opened.context.close()
