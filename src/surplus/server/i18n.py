"""Translated captions, looked up the way evcc does: ``sessions.csv.<lowercased field>`` of a language.

A caption a language lacks falls back to English; a language Surplus does not know is English.
"""

from __future__ import annotations

ENGLISH = "en"

CAPTIONS: dict[str, dict[str, str]] = {
    "en": {
        "sessions.csv.created": "Created",
        "sessions.csv.finished": "Finished",
        "sessions.csv.loadpoint": "Charging point",
        "sessions.csv.identifier": "Identifier",
        "sessions.csv.vehicle": "Vehicle",
        "sessions.csv.odometer": "Mileage (km)",
        "sessions.csv.meterstart": "Meter start (kWh)",
        "sessions.csv.meterstop": "Meter stop (kWh)",
        "sessions.csv.chargedenergy": "Energy (kWh)",
        "sessions.csv.chargeduration": "Duration",
        "sessions.csv.socstart": "SoC start (%)",
        "sessions.csv.socend": "SoC end (%)",
        "sessions.csv.addedrange": "Added range (km)",
        "sessions.csv.solarpercentage": "Solar (%)",
        "sessions.csv.price": "Cost",
        "sessions.csv.priceperkwh": "Price/kWh",
        "sessions.csv.co2perkwh": "CO₂/kWh",
        "sessions.csv.referencepriceperkwh": "Reference Price/kWh",
        "sessions.csv.referenceco2perkwh": "Reference CO2/kWh (gCO2eq)",
    },
    "de": {
        "sessions.csv.created": "Startzeit",
        "sessions.csv.finished": "Endzeit",
        "sessions.csv.loadpoint": "Ladepunkt",
        "sessions.csv.identifier": "Kennung",
        "sessions.csv.vehicle": "Fahrzeug",
        "sessions.csv.odometer": "Kilometerstand (km)",
        "sessions.csv.meterstart": "Anfangszählerstand (kWh)",
        "sessions.csv.meterstop": "Endzählerstand (kWh)",
        "sessions.csv.chargedenergy": "Energie (kWh)",
        "sessions.csv.chargeduration": "Ladedauer",
        "sessions.csv.socstart": "Ladestand Start (%)",
        "sessions.csv.socend": "Ladestand Ende (%)",
        "sessions.csv.addedrange": "Geladene Reichweite (km)",
        "sessions.csv.solarpercentage": "Sonne (%)",
        "sessions.csv.price": "Kosten",
        "sessions.csv.priceperkwh": "Preis/kWh",
        "sessions.csv.co2perkwh": "CO₂/kWh",
    },
}


def language(requested: str | None, accept_language: str | None) -> str:
    """The ``lang`` query parameter, else the first tag of Accept-Language, else English; always a known one.

    Only the primary subtag counts: ``de-DE`` and ``de_AT`` are German.
    """
    tag = (requested or "").strip()
    if not tag and accept_language:
        tag = accept_language.split(",", 1)[0].split(";", 1)[0].strip()
    primary = tag.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in CAPTIONS else ENGLISH


def caption(lang: str, key: str) -> str:
    """The caption of ``key`` in ``lang``, else in English, else the key itself."""
    return CAPTIONS.get(lang, {}).get(key) or CAPTIONS[ENGLISH].get(key, key)
