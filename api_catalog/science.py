"""Science: chemistry (periodictable), physics formulas with CODATA constants, temperature and
solution arithmetic."""

from __future__ import annotations

import math
from typing import Literal

from apigen.catalog import api

CATEGORY = "Science"
_H = 6.62607015e-34       # Planck constant, J s (exact, SI 2019)
_C = 299792458.0          # speed of light, m/s (exact)
_EV = 1.602176634e-19     # electronvolt, J (exact)
_G = 6.67430e-11          # gravitational constant, m^3 kg^-1 s^-2 (CODATA 2018)
_R = 8.314462618          # molar gas constant, J mol^-1 K^-1
_G0 = 9.80665             # standard gravity, m/s^2


@api(examples=[{"arguments": {"element": "Fe"}, "result": {"symbol": "Fe", "name": "iron", "atomic_number": 26, "atomic_mass": 55.845, "density_g_cm3": 7.874}}])
def element_info(element: str) -> dict:
    """Look up a chemical element by symbol, name or atomic number: name, number, standard atomic mass and density.

    Args:
        element: Symbol ('Fe'), English name ('iron') or atomic number ('26').
    """
    import periodictable as pt

    key = element.strip()
    try:
        e = pt.elements[int(key)] if key.isdigit() else (pt.elements.symbol(key) if len(key) <= 3 else pt.elements.name(key.lower()))
    except (ValueError, KeyError):
        raise ValueError(f"unknown element '{element}'") from None
    return {"symbol": e.symbol, "name": e.name, "atomic_number": e.number, "atomic_mass": e.mass, "density_g_cm3": e.density}


@api(examples=[{"arguments": {"formula": "C6H12O6"}, "result": 180.156}, {"arguments": {"formula": "Ca(OH)2"}, "result": 74.092}])
def molar_mass(formula: str) -> float:
    """Compute the molar mass in g/mol of a chemical formula, e.g. 'H2O', 'Ca(OH)2' (three decimals).

    Args:
        formula: Chemical formula with element symbols, counts and parentheses.
    """
    import periodictable as pt

    try:
        return round(pt.formula(formula).mass, 3)
    except Exception as exc:  # pyparsing errors are not ValueErrors
        raise ValueError(f"cannot parse formula '{formula}': {exc}") from None


@api(examples=[{"arguments": {"value": 100, "from_unit": "C", "to_unit": "F"}, "result": 212.0}, {"arguments": {"value": 0, "from_unit": "K", "to_unit": "C"}, "result": -273.15}])
def convert_temperature(value: float, from_unit: Literal["C", "F", "K"], to_unit: Literal["C", "F", "K"]) -> float:
    """Convert a temperature between Celsius, Fahrenheit and Kelvin (four decimals).

    Args:
        value: The temperature.
        from_unit: Unit of value: C, F or K.
        to_unit: Unit to convert to: C, F or K.
    """
    celsius = {"C": value, "F": (value - 32) * 5 / 9, "K": value - 273.15}[from_unit]
    if celsius < -273.15 - 1e-9:
        raise ValueError("below absolute zero")
    return round({"C": celsius, "F": celsius * 9 / 5 + 32, "K": celsius + 273.15}[to_unit], 4)


@api(examples=[{"arguments": {"moles": 1, "temperature_k": 273.15, "volume_l": 22.414}, "result": 101.325}])
def ideal_gas_pressure(moles: float, temperature_k: float, volume_l: float) -> float:
    """Compute a gas's pressure in kPa from the ideal gas law P = nRT / V (three decimals).

    Args:
        moles: Amount of gas in moles.
        temperature_k: Temperature in kelvin.
        volume_l: Volume in litres (positive).
    """
    if volume_l <= 0 or temperature_k < 0:
        raise ValueError("volume must be positive and temperature non-negative")
    return round(moles * _R * temperature_k / volume_l, 3)


@api(examples=[{"arguments": {"initial_amount": 100, "half_life": 5730, "elapsed": 11460}, "result": 25.0}])
def radioactive_decay(initial_amount: float, half_life: float, elapsed: float) -> float:
    """Compute how much of a radioactive substance remains after a time, given its half-life (same time unit).

    Args:
        initial_amount: Starting quantity (any unit).
        half_life: Half-life (positive).
        elapsed: Time elapsed, in the half-life's unit.
    """
    if half_life <= 0:
        raise ValueError("half-life must be positive")
    return round(initial_amount * 0.5 ** (elapsed / half_life), 6)


@api(examples=[{"arguments": {"wavelength_nm": 500}, "result": {"frequency_thz": 599.584916, "photon_energy_ev": 2.479684}}])
def photon_properties(wavelength_nm: float) -> dict:
    """Compute the frequency (THz) and photon energy (eV) of light of a given wavelength in vacuum.

    Args:
        wavelength_nm: Wavelength in nanometres (positive).
    """
    if wavelength_nm <= 0:
        raise ValueError("wavelength must be positive")
    frequency = _C / (wavelength_nm * 1e-9)
    return {"frequency_thz": round(frequency / 1e12, 6), "photon_energy_ev": round(_H * frequency / _EV, 6)}


@api(examples=[{"arguments": {"mass_kg": 1200, "speed_m_s": 25}, "result": 375000.0}])
def kinetic_energy(mass_kg: float, speed_m_s: float) -> float:
    """Compute the kinetic energy (joules) of a mass moving at a speed: E = m v^2 / 2.

    Args:
        mass_kg: Mass in kilograms.
        speed_m_s: Speed in metres per second.
    """
    return 0.5 * mass_kg * speed_m_s ** 2


@api(examples=[{"arguments": {"speed_m_s": 20, "angle_degrees": 45}, "result": {"range_m": 40.789, "max_height_m": 10.197, "flight_time_s": 2.884}}])
def projectile_motion(speed_m_s: float, angle_degrees: float, gravity_m_s2: float = _G0) -> dict:
    """Compute range, peak height and flight time of a projectile launched from ground level, without air resistance.

    Args:
        speed_m_s: Launch speed in m/s.
        angle_degrees: Launch angle above horizontal, 0 to 90 degrees.
        gravity_m_s2: Gravitational acceleration (9.80665 on Earth).
    """
    if not 0 <= angle_degrees <= 90 or gravity_m_s2 <= 0:
        raise ValueError("angle must be 0-90 degrees and gravity positive")
    a = math.radians(angle_degrees)
    vy = speed_m_s * math.sin(a)
    t = 2 * vy / gravity_m_s2
    return {"range_m": round(speed_m_s * math.cos(a) * t, 3), "max_height_m": round(vy ** 2 / (2 * gravity_m_s2), 3), "flight_time_s": round(t, 3)}


@api(examples=[{"arguments": {"voltage": 12, "resistance": 4}, "result": {"voltage": 12.0, "current": 3.0, "resistance": 4.0, "power": 36.0}}])
def ohms_law(voltage: float | None = None, current: float | None = None, resistance: float | None = None) -> dict:
    """Solve Ohm's law V = I R from any two of voltage (V), current (A) and resistance (ohm); also gives power (W).

    Args:
        voltage: Voltage in volts.
        current: Current in amperes.
        resistance: Resistance in ohms.
    """
    if sum(x is not None for x in (voltage, current, resistance)) != 2:
        raise ValueError("give exactly two of voltage, current and resistance")
    if voltage is None:
        voltage = current * resistance
    elif current is None:
        current = voltage / resistance
    else:
        resistance = voltage / current
    return {"voltage": float(voltage), "current": float(current), "resistance": float(resistance), "power": float(voltage * current)}


@api(examples=[{"arguments": {"temperature_c": 20}, "result": 343.21}])
def speed_of_sound_in_air(temperature_c: float) -> float:
    """Compute the speed of sound in dry air (m/s) at a temperature: 331.3 * sqrt(1 + T / 273.15).

    Args:
        temperature_c: Air temperature in degrees Celsius.
    """
    return round(331.3 * math.sqrt(1 + temperature_c / 273.15), 2)


@api(examples=[{"arguments": {"mass1_kg": 5.972e24, "mass2_kg": 7.342e22, "distance_m": 3.844e8}, "result": 1.98e20}])
def gravitational_force(mass1_kg: float, mass2_kg: float, distance_m: float) -> float:
    """Compute the Newtonian gravitational force (newtons) between two masses, four significant digits.

    Args:
        mass1_kg: First mass in kilograms.
        mass2_kg: Second mass in kilograms.
        distance_m: Distance between the centres in metres (positive).
    """
    if distance_m <= 0:
        raise ValueError("distance must be positive")
    return float(f"{_G * mass1_kg * mass2_kg / distance_m ** 2:.4g}")


@api(examples=[{"arguments": {"hydrogen_ion_molar": 1e-3}, "result": {"pH": 3.0, "pOH": 11.0, "classification": "acidic"}}])
def ph_from_concentration(hydrogen_ion_molar: float) -> dict:
    """Compute pH and pOH (at 25 degC) from the hydrogen-ion concentration and classify the solution.

    Args:
        hydrogen_ion_molar: [H+] in mol/L (positive).
    """
    if hydrogen_ion_molar <= 0:
        raise ValueError("concentration must be positive")
    ph = round(-math.log10(hydrogen_ion_molar), 4)
    kind = "acidic" if ph < 7 else "basic" if ph > 7 else "neutral"
    return {"pH": ph, "pOH": round(14 - ph, 4), "classification": kind}


@api(examples=[{"arguments": {"stock_concentration": 12, "target_concentration": 3, "target_volume": 250}, "result": {"stock_volume": 62.5, "diluent_volume": 187.5}}])
def dilution_volumes(stock_concentration: float, target_concentration: float, target_volume: float) -> dict:
    """Compute the stock and diluent volumes for a dilution with C1 V1 = C2 V2 (same units throughout).

    Args:
        stock_concentration: Concentration of the stock solution (C1).
        target_concentration: Desired concentration (C2), not above C1.
        target_volume: Desired final volume (V2).
    """
    if stock_concentration <= 0 or not 0 <= target_concentration <= stock_concentration:
        raise ValueError("need 0 <= target concentration <= stock concentration")
    v1 = target_concentration * target_volume / stock_concentration
    return {"stock_volume": round(v1, 4), "diluent_volume": round(target_volume - v1, 4)}


@api(examples=[{"arguments": {"mass_kg": 5.972e24, "radius_m": 6.371e6}, "result": 11.186}])
def escape_velocity(mass_kg: float, radius_m: float) -> float:
    """Compute the escape velocity (km/s) from the surface of a body: sqrt(2 G M / r).

    Args:
        mass_kg: Mass of the body in kilograms.
        radius_m: Radius in metres (positive).
    """
    if radius_m <= 0 or mass_kg <= 0:
        raise ValueError("mass and radius must be positive")
    return round(math.sqrt(2 * _G * mass_kg / radius_m) / 1000, 3)
