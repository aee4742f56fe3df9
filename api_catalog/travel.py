"""Travel: airports (airportsdata), time zones (zoneinfo + tzdata), public holidays (holidays)
and great-circle geometry."""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apigen.catalog import api

CATEGORY = "Travel"
_EARTH_RADIUS_KM = 6371.0
_KM_PER = {"km": 1.0, "mi": 1.609344, "nmi": 1.852}


def _airport(iata: str) -> dict:
    import airportsdata

    airport = airportsdata.load("IATA").get(iata.strip().upper())
    if airport is None:
        raise ValueError(f"unknown IATA airport code '{iata}'")
    return airport


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone '{name}'") from None


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@api(examples=[{"arguments": {"iata": "LHR"}, "result": {"iata": "LHR", "icao": "EGLL", "name": "London Heathrow Airport", "city": "London",
                                                          "country": "GB", "latitude": 51.4706, "longitude": -0.46194, "elevation_ft": 83.0, "timezone": "Europe/London"}}])
def airport_info(iata: str) -> dict:
    """Look up an airport by its three-letter IATA code: name, city, country, ICAO code, position, elevation and time zone.

    Args:
        iata: IATA airport code, e.g. 'LHR' or 'SFO'.
    """
    a = _airport(iata)
    return {"iata": a["iata"], "icao": a["icao"], "name": a["name"], "city": a["city"], "country": a["country"],
            "latitude": a["lat"], "longitude": a["lon"], "elevation_ft": a["elevation"], "timezone": a["tz"]}


@api(examples=[{"arguments": {"city": "London", "country": "GB"}, "result": ["BQH", "LCY", "LGW", "LHR", "LTN", "NHT", "STN"]}])
def airports_in_city(city: str, country: str) -> list[str]:
    """List the IATA codes of the airports serving a city.

    Args:
        city: City name in English, e.g. 'London'.
        country: ISO 3166-1 alpha-2 country code, e.g. 'GB'.
    """
    import airportsdata

    return sorted(code for code, a in airportsdata.load("IATA").items()
                  if a["city"].lower() == city.strip().lower() and a["country"] == country.strip().upper())


@api(examples=[{"arguments": {"from_iata": "LHR", "to_iata": "JFK", "unit": "km"}, "result": 5539.6}])
def airport_distance(from_iata: str, to_iata: str, unit: Literal["km", "mi", "nmi"] = "km") -> float:
    """Compute the great-circle distance between two airports (one decimal).

    Args:
        from_iata: IATA code of the departure airport.
        to_iata: IATA code of the arrival airport.
        unit: Kilometres, statute miles or nautical miles.
    """
    a, b = _airport(from_iata), _airport(to_iata)
    return round(_haversine_km(a["lat"], a["lon"], b["lat"], b["lon"]) / _KM_PER[unit], 1)


@api(examples=[{"arguments": {"lat1": 48.8566, "lon1": 2.3522, "lat2": 41.9028, "lon2": 12.4964}, "result": 1105.3}])
def great_circle_distance(lat1: float, lon1: float, lat2: float, lon2: float, unit: Literal["km", "mi", "nmi"] = "km") -> float:
    """Compute the great-circle (haversine) distance between two coordinates on Earth (one decimal).

    Args:
        lat1: Latitude of the first point in decimal degrees.
        lon1: Longitude of the first point in decimal degrees.
        lat2: Latitude of the second point in decimal degrees.
        lon2: Longitude of the second point in decimal degrees.
        unit: Kilometres, statute miles or nautical miles.
    """
    return round(_haversine_km(lat1, lon1, lat2, lon2) / _KM_PER[unit], 1)


@api(examples=[{"arguments": {"lat1": 51.4706, "lon1": -0.46194, "lat2": 40.639928, "lon2": -73.778692}, "result": 287.9}])
def initial_bearing(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Compute the initial compass bearing (degrees from true north) for the great-circle route from one point to another.

    Args:
        lat1: Latitude of the start in decimal degrees.
        lon1: Longitude of the start in decimal degrees.
        lat2: Latitude of the destination in decimal degrees.
        lon2: Longitude of the destination in decimal degrees.
    """
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return round((math.degrees(math.atan2(x, y)) + 360) % 360, 1)


@api(examples=[{"arguments": {"local_datetime": "2025-07-01T09:30", "from_zone": "America/New_York", "to_zone": "Asia/Tokyo"}, "result": "2025-07-01T22:30:00+09:00"}])
def convert_timezone(local_datetime: str, from_zone: str, to_zone: str) -> str:
    """Convert a local date and time from one IANA time zone to another, with daylight saving applied.

    Args:
        local_datetime: ISO 8601 local date-time without offset, e.g. '2025-07-01T09:30'.
        from_zone: IANA zone of the input, e.g. 'America/New_York'.
        to_zone: IANA zone to convert to, e.g. 'Asia/Tokyo'.
    """
    moment = dt.datetime.fromisoformat(local_datetime).replace(tzinfo=_zone(from_zone))
    return moment.astimezone(_zone(to_zone)).isoformat()


@api(examples=[{"arguments": {"zone": "Europe/Berlin", "date": "2025-07-15"}, "result": {"utc_offset_hours": 2.0, "abbreviation": "CEST", "dst": True}}])
def timezone_offset(zone: str, date: str) -> dict:
    """Give a time zone's UTC offset, abbreviation and whether daylight saving time applies at noon on a date.

    Args:
        zone: IANA time zone, e.g. 'Europe/Berlin'.
        date: ISO date, e.g. '2025-07-15'.
    """
    moment = dt.datetime.combine(dt.date.fromisoformat(date), dt.time(12), tzinfo=_zone(zone))
    return {"utc_offset_hours": moment.utcoffset().total_seconds() / 3600, "abbreviation": moment.tzname(),
            "dst": bool(moment.dst())}


@api(examples=[{"arguments": {"from_zone": "America/Los_Angeles", "to_zone": "Europe/Paris", "date": "2025-01-10"}, "result": 9.0}])
def time_difference(from_zone: str, to_zone: str, date: str) -> float:
    """Compute how many hours the clock in one time zone is ahead of another on a date (negative if behind).

    Args:
        from_zone: IANA time zone you are in.
        to_zone: IANA time zone you compare with.
        date: ISO date; daylight saving rules depend on it.
    """
    noon = dt.datetime.combine(dt.date.fromisoformat(date), dt.time(12), tzinfo=dt.timezone.utc)
    return (noon.astimezone(_zone(to_zone)).utcoffset() - noon.astimezone(_zone(from_zone)).utcoffset()).total_seconds() / 3600


@api(examples=[{"arguments": {"departure_local": "2025-03-10T18:00", "from_iata": "JFK", "to_iata": "LHR", "duration_minutes": 420}, "result": "2025-03-11T05:00:00+00:00"}])
def flight_arrival_time(departure_local: str, from_iata: str, to_iata: str, duration_minutes: int) -> str:
    """Compute a flight's local arrival time from its local departure time and duration, using both airports' time zones.

    Args:
        departure_local: Local departure date-time at the origin, ISO 8601 without offset.
        from_iata: IATA code of the origin airport.
        to_iata: IATA code of the destination airport.
        duration_minutes: Block time of the flight in minutes.
    """
    start = dt.datetime.fromisoformat(departure_local).replace(tzinfo=_zone(_airport(from_iata)["tz"]))
    return (start + dt.timedelta(minutes=duration_minutes)).astimezone(_zone(_airport(to_iata)["tz"])).isoformat()


@api(examples=[{"arguments": {"iata": "SFO", "utc_datetime": "2025-12-01T20:00"}, "result": "2025-12-01T12:00:00-08:00"}])
def local_time_at_airport(iata: str, utc_datetime: str) -> str:
    """Convert a UTC date-time to local time at an airport.

    Args:
        iata: IATA airport code.
        utc_datetime: ISO 8601 date-time in UTC, e.g. '2025-12-01T20:00'.
    """
    moment = dt.datetime.fromisoformat(utc_datetime).replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(_zone(_airport(iata)["tz"])).isoformat()


@api(examples=[{"arguments": {"country": "US", "year": 2025}, "result": [
    {"date": "2025-01-01", "name": "New Year's Day"}, {"date": "2025-01-20", "name": "Martin Luther King Jr. Day"},
    {"date": "2025-02-17", "name": "Washington's Birthday"}, {"date": "2025-05-26", "name": "Memorial Day"},
    {"date": "2025-06-19", "name": "Juneteenth National Independence Day"}, {"date": "2025-07-04", "name": "Independence Day"},
    {"date": "2025-09-01", "name": "Labor Day"}, {"date": "2025-10-13", "name": "Columbus Day"},
    {"date": "2025-11-11", "name": "Veterans Day"}, {"date": "2025-11-27", "name": "Thanksgiving Day"},
    {"date": "2025-12-25", "name": "Christmas Day"}]}])
def public_holidays(country: str, year: int, subdivision: str = "") -> list[dict]:
    """List the official public holidays of a country (optionally a state or province) in a year.

    Args:
        country: ISO 3166-1 alpha-2 country code, e.g. 'US', 'DE', 'JP'.
        year: The calendar year.
        subdivision: Optional subdivision code such as 'CA' for California or 'BY' for Bavaria.
    """
    import holidays

    try:
        days = holidays.country_holidays(country.upper(), subdiv=subdivision or None, years=year)
    except NotImplementedError:
        raise ValueError(f"no holiday data for country '{country}' / subdivision '{subdivision}'") from None
    return [{"date": d.isoformat(), "name": name} for d, name in sorted(days.items())]


@api(examples=[{"arguments": {"distance_km": 450, "consumption_l_per_100km": 6.5, "fuel_price_per_litre": 1.8, "passengers": 3}, "result": {"fuel_litres": 29.25, "total_cost": 52.65, "cost_per_passenger": 17.55}}])
def trip_fuel_cost(distance_km: float, consumption_l_per_100km: float, fuel_price_per_litre: float, passengers: int = 1) -> dict:
    """Estimate the fuel used and fuel cost of a road trip, and the share per passenger.

    Args:
        distance_km: Trip distance in kilometres.
        consumption_l_per_100km: Vehicle fuel consumption in litres per 100 km.
        fuel_price_per_litre: Fuel price per litre.
        passengers: People sharing the cost (at least 1).
    """
    if passengers < 1:
        raise ValueError("passengers must be at least 1")
    litres = distance_km * consumption_l_per_100km / 100
    cost = litres * fuel_price_per_litre
    return {"fuel_litres": round(litres, 2), "total_cost": round(cost, 2), "cost_per_passenger": round(cost / passengers, 2)}
