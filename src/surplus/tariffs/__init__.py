"""Tariffs and forecasts: prices, feed-in rates, CO₂ and solar forecasts as (start, end, value) slots."""
