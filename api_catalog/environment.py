"""Environment: sun and moon (astral), weather indices (NWS and Magnus formulas), air quality
(US EPA PM2.5 breakpoints, 2024), wind (Beaufort), emissions (EPA factors), water and solar yield."""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal
from zoneinfo import ZoneInfo

from apigen.catalog import api

CATEGORY = "Environment"
_MAGNUS_A, _MAGNUS_B = 17.625, 243.04
# US EPA PM2.5 AQI breakpoints (24-hour, ug/m3), as revised in 2024.
_PM25 = [(0.0, 9.0, 0, 50, "Good"), (9.1, 35.4, 51, 100, "Moderate"), (35.5, 55.4, 101, 150, "Unhealthy for Sensitive Groups"),
         (55.5, 125.4, 151, 200, "Unhealthy"), (125.5, 225.4, 201, 300, "Very Unhealthy"), (225.5, 325.4, 301, 500, "Hazardous")]
_BEAUFORT = [(0.5, "Calm"), (1.6, "Light air"), (3.4, "Light breeze"), (5.5, "Gentle breeze"), (8.0, "Moderate breeze"),
             (10.8, "Fresh breeze"), (13.9, "Strong breeze"), (17.2, "Near gale"), (20.8, "Gale"), (24.5, "Strong gale"),
             (28.5, "Storm"), (32.7, "Violent storm")]
_CO2_G_PER_GALLON = {"gasoline": 8887, "diesel": 10180}  # US EPA
_LITRES_PER_GALLON = 3.785411784


def _observer(latitude: float, longitude: float):
    from astral import Observer

    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("latitude must be within +-90 and longitude within +-180")
    return Observer(latitude=latitude, longitude=longitude)


@api(examples=[{"arguments": {"latitude": 51.5074, "longitude": -0.1278, "date": "2025-06-21", "timezone": "Europe/London"},
                "result": {"dawn": "03:54", "sunrise": "04:43", "solar_noon": "13:02", "sunset": "21:21", "dusk": "22:09", "daylight_hours": 16.63}}])
def sun_times(latitude: float, longitude: float, date: str, timezone: str = "UTC") -> dict:
    """Compute civil dawn, sunrise, solar noon, sunset and dusk (local HH:MM) and day length for a place and date.

    Args:
        latitude: Latitude in decimal degrees (north positive).
        longitude: Longitude in decimal degrees (east positive).
        date: ISO date.
        timezone: IANA time zone for the output times.
    """
    from astral.sun import sun

    try:
        s = sun(_observer(latitude, longitude), date=dt.date.fromisoformat(date), tzinfo=ZoneInfo(timezone))
    except ValueError as exc:
        raise ValueError(f"the sun does not rise or set normally there on that date: {exc}") from None
    out = {k: s[src].strftime("%H:%M") for k, src in (("dawn", "dawn"), ("sunrise", "sunrise"), ("solar_noon", "noon"), ("sunset", "sunset"), ("dusk", "dusk"))}
    out["daylight_hours"] = round((s["sunset"] - s["sunrise"]).total_seconds() / 3600, 2)
    return out


@api(examples=[{"arguments": {"latitude": 40.7128, "longitude": -74.006, "utc_datetime": "2025-06-21T16:00"}, "result": {"elevation_degrees": 68.9, "azimuth_degrees": 140.5}}])
def solar_position(latitude: float, longitude: float, utc_datetime: str) -> dict:
    """Compute the sun's elevation above the horizon and compass azimuth at a place and UTC time.

    Args:
        latitude: Latitude in decimal degrees.
        longitude: Longitude in decimal degrees.
        utc_datetime: ISO date-time in UTC.
    """
    from astral.sun import azimuth, elevation

    moment = dt.datetime.fromisoformat(utc_datetime).replace(tzinfo=dt.timezone.utc)
    obs = _observer(latitude, longitude)
    return {"elevation_degrees": round(elevation(obs, moment), 1), "azimuth_degrees": round(azimuth(obs, moment), 1)}


@api(examples=[{"arguments": {"date": "2025-01-13"}, "result": {"phase_day": 13.57, "phase_name": "Full moon"}}])
def moon_phase(date: str) -> dict:
    """Give the moon's phase on a date: age in days of the 29.5-day cycle (0 new, ~14 full) and its name.

    Args:
        date: ISO date.
    """
    from astral import moon

    day = moon.phase(dt.date.fromisoformat(date))
    names = [(1, "New moon"), (6.4, "Waxing crescent"), (8.4, "First quarter"), (12.9, "Waxing gibbous"), (15.9, "Full moon"),
             (20.4, "Waning gibbous"), (22.4, "Last quarter"), (27.7, "Waning crescent"), (29.6, "New moon")]
    return {"phase_day": round(day, 2), "phase_name": next(n for limit, n in names if day < limit)}


@api(examples=[{"arguments": {"temperature_c": 25, "relative_humidity": 60}, "result": 16.7}])
def dew_point(temperature_c: float, relative_humidity: float) -> float:
    """Compute the dew point (degC, one decimal) from air temperature and relative humidity (Magnus formula).

    Args:
        temperature_c: Air temperature in degrees Celsius.
        relative_humidity: Relative humidity in percent (1 to 100).
    """
    if not 0 < relative_humidity <= 100:
        raise ValueError("relative humidity must be in (0, 100]")
    g = math.log(relative_humidity / 100) + _MAGNUS_A * temperature_c / (_MAGNUS_B + temperature_c)
    return round(_MAGNUS_B * g / (_MAGNUS_A - g), 1)


@api(examples=[{"arguments": {"temperature_c": 30, "dew_point_c": 20}, "result": 55.1}])
def relative_humidity(temperature_c: float, dew_point_c: float) -> float:
    """Compute relative humidity (percent, one decimal) from air temperature and dew point (Magnus formula).

    Args:
        temperature_c: Air temperature in degrees Celsius.
        dew_point_c: Dew point in degrees Celsius (not above the temperature).
    """
    if dew_point_c > temperature_c:
        raise ValueError("dew point cannot exceed the temperature")
    f = lambda t: math.exp(_MAGNUS_A * t / (_MAGNUS_B + t))  # noqa: E731
    return round(100 * f(dew_point_c) / f(temperature_c), 1)


@api(examples=[{"arguments": {"temperature_f": 90, "relative_humidity": 60}, "result": 100.0}])
def heat_index(temperature_f: float, relative_humidity: float) -> float:
    """Compute the US National Weather Service heat index ('feels like', degF, rounded) from temperature and humidity.

    Args:
        temperature_f: Air temperature in degrees Fahrenheit.
        relative_humidity: Relative humidity in percent.
    """
    t, rh = temperature_f, relative_humidity
    simple = 0.5 * (t + 61 + (t - 68) * 1.2 + rh * 0.094)
    if (simple + t) / 2 < 80:
        return float(round(simple))
    hi = (-42.379 + 2.04901523 * t + 10.14333127 * rh - 0.22475541 * t * rh - 0.00683783 * t * t
          - 0.05481717 * rh * rh + 0.00122874 * t * t * rh + 0.00085282 * t * rh * rh - 0.00000199 * t * t * rh * rh)
    if rh < 13 and 80 <= t <= 112:
        hi -= (13 - rh) / 4 * math.sqrt((17 - abs(t - 95)) / 17)
    elif rh > 85 and 80 <= t <= 87:
        hi += (rh - 85) / 10 * (87 - t) / 5
    return float(round(hi))


@api(examples=[{"arguments": {"temperature_c": -10, "wind_speed_kmh": 20}, "result": -17.9}])
def wind_chill(temperature_c: float, wind_speed_kmh: float) -> float:
    """Compute the wind-chill temperature (degC, one decimal) with the 2001 North American formula (T <= 10 degC, wind >= 4.8 km/h).

    Args:
        temperature_c: Air temperature in degrees Celsius.
        wind_speed_kmh: Wind speed at 10 m in km/h.
    """
    if temperature_c > 10 or wind_speed_kmh < 4.8:
        raise ValueError("wind chill is defined for T <= 10 degC and wind >= 4.8 km/h")
    v = wind_speed_kmh ** 0.16
    return round(13.12 + 0.6215 * temperature_c - 11.37 * v + 0.3965 * temperature_c * v, 1)


@api(examples=[{"arguments": {"pm25_ug_m3": 35.0}, "result": {"aqi": 99, "category": "Moderate"}}])
def air_quality_index_pm25(pm25_ug_m3: float) -> dict:
    """Convert a 24-hour PM2.5 concentration to the US EPA Air Quality Index and its category (2024 breakpoints).

    Args:
        pm25_ug_m3: PM2.5 concentration in micrograms per cubic metre.
    """
    c = math.floor(pm25_ug_m3 * 10) / 10
    if c < 0:
        raise ValueError("concentration must be non-negative")
    for lo, hi, ilo, ihi, name in _PM25:
        if c <= hi:
            return {"aqi": round((ihi - ilo) / (hi - lo) * (max(c, lo) - lo) + ilo), "category": name}
    return {"aqi": 500, "category": "Hazardous (beyond index)"}


@api(examples=[{"arguments": {"wind_speed": 40, "unit": "km/h"}, "result": {"force": 6, "description": "Strong breeze"}}])
def beaufort_scale(wind_speed: float, unit: Literal["m/s", "km/h", "mph", "knots"] = "m/s") -> dict:
    """Classify a wind speed on the Beaufort scale (force 0-12 with its description).

    Args:
        wind_speed: Wind speed.
        unit: Unit of wind_speed.
    """
    ms = wind_speed * {"m/s": 1, "km/h": 1 / 3.6, "mph": 0.44704, "knots": 0.514444}[unit]
    for force, (limit, name) in enumerate(_BEAUFORT):
        if ms < limit:
            return {"force": force, "description": name}
    return {"force": 12, "description": "Hurricane force"}


@api(examples=[{"arguments": {"distance_km": 100, "consumption_l_per_100km": 7, "fuel": "gasoline"}, "result": 16.43}])
def vehicle_co2_emissions(distance_km: float, consumption_l_per_100km: float, fuel: Literal["gasoline", "diesel"] = "gasoline") -> float:
    """Estimate tailpipe CO2 (kg) of a car trip from its fuel use, with US EPA factors (8,887 g/gal gasoline, 10,180 g/gal diesel).

    Args:
        distance_km: Distance driven in kilometres.
        consumption_l_per_100km: Fuel consumption in litres per 100 km.
        fuel: Fuel type.
    """
    litres = distance_km * consumption_l_per_100km / 100
    return round(litres * _CO2_G_PER_GALLON[fuel] / _LITRES_PER_GALLON / 1000, 2)


@api(examples=[{"arguments": {"roof_area_m2": 120, "rainfall_mm": 800, "runoff_coefficient": 0.8}, "result": 76800.0}])
def rainwater_harvest(roof_area_m2: float, rainfall_mm: float, runoff_coefficient: float = 0.8) -> float:
    """Estimate the litres of rainwater a roof can collect: area x rainfall x runoff coefficient (1 mm on 1 m2 = 1 L).

    Args:
        roof_area_m2: Catchment (roof) area in square metres.
        rainfall_mm: Rainfall over the period in millimetres.
        runoff_coefficient: Share of rain captured, 0 to 1 (about 0.8 for pitched metal or tile roofs).
    """
    if not 0 <= runoff_coefficient <= 1:
        raise ValueError("runoff coefficient must be between 0 and 1")
    return round(roof_area_m2 * rainfall_mm * runoff_coefficient, 2)


@api(examples=[{"arguments": {"system_kw": 5, "peak_sun_hours": 4.5, "days": 30}, "result": 506.25}])
def solar_panel_output(system_kw: float, peak_sun_hours: float, days: int = 1, performance_ratio: float = 0.75) -> float:
    """Estimate a photovoltaic system's energy yield in kWh: rated kW x peak sun hours x days x performance ratio.

    Args:
        system_kw: Rated (peak) power of the array in kW.
        peak_sun_hours: Average daily peak sun hours at the site.
        days: Number of days.
        performance_ratio: System losses factor, 0 to 1 (0.75 is typical).
    """
    if not 0 < performance_ratio <= 1:
        raise ValueError("performance ratio must be in (0, 1]")
    return round(system_kw * peak_sun_hours * days * performance_ratio, 2)
