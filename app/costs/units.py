"""Unit conversions the cost model and its formatters share.

Inside the cost model: seconds, joules, grams of CO2e and US dollars. Published figures
come in whatever unit their source used; ``WH_PER`` and ``GRAMS_PER`` bring them home.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

JOULES_PER_WH = 3600.0
JOULES_PER_KWH = 3.6e6
SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0
SECONDS_PER_YEAR = 365.25 * SECONDS_PER_DAY  # the Julian year: the average calendar year

# Watt-hours in one of each energy unit, grams in one of each CO2 unit.
WH_PER: Mapping[str, float] = MappingProxyType({"Wh": 1.0, "kWh": 1e3, "MWh": 1e6, "GWh": 1e9})
GRAMS_PER: Mapping[str, float] = MappingProxyType(
    {"g CO2e": 1.0, "kg CO2e": 1e3, "t CO2e": 1e6, "lb CO2e": 453.59237}
)
