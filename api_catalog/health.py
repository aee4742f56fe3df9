"""Health: published clinical and fitness formulas (BMI with WHO classes, Mifflin-St Jeor, Karvonen,
Mosteller, Devine, Naegele, Bazett, Cockcroft-Gault, AHA blood-pressure categories, METs).
For information only, not medical advice."""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

from apigen.catalog import api

CATEGORY = "Health"
_ACTIVITY = {"sedentary": 1.2, "light": 1.375, "moderate": 1.55, "active": 1.725, "very_active": 1.9}


@api(examples=[{"arguments": {"weight_kg": 70, "height_cm": 175}, "result": {"bmi": 22.9, "category": "Normal weight"}}])
def body_mass_index(weight_kg: float, height_cm: float) -> dict:
    """Compute body mass index (kg/m2, one decimal) and its WHO adult category.

    Args:
        weight_kg: Body weight in kilograms.
        height_cm: Height in centimetres.
    """
    if weight_kg <= 0 or height_cm <= 0:
        raise ValueError("weight and height must be positive")
    bmi = weight_kg / (height_cm / 100) ** 2
    category = "Underweight" if bmi < 18.5 else "Normal weight" if bmi < 25 else "Overweight" if bmi < 30 else "Obesity"
    return {"bmi": round(bmi, 1), "category": category}


@api(examples=[{"arguments": {"weight_kg": 70, "height_cm": 175, "age": 30, "sex": "male", "activity": "moderate"}, "result": {"bmr_kcal": 1649, "tdee_kcal": 2556}}])
def daily_calorie_needs(weight_kg: float, height_cm: float, age: int, sex: Literal["male", "female"], activity: Literal["sedentary", "light", "moderate", "active", "very_active"] = "sedentary") -> dict:
    """Estimate basal metabolic rate (Mifflin-St Jeor) and total daily energy expenditure with a standard activity factor.

    Args:
        weight_kg: Body weight in kilograms.
        height_cm: Height in centimetres.
        age: Age in years.
        sex: 'male' or 'female'.
        activity: Activity level: sedentary (1.2) to very_active (1.9).
    """
    bmr = 10 * weight_kg + 6.25 * height_cm - 5 * age + (5 if sex == "male" else -161)
    return {"bmr_kcal": round(bmr), "tdee_kcal": round(bmr * _ACTIVITY[activity])}


@api(examples=[{"arguments": {"age": 40, "resting_heart_rate": 60, "intensity_percent": 70}, "result": {"max_heart_rate": 180, "target_heart_rate": 144}}])
def target_heart_rate(age: int, resting_heart_rate: int, intensity_percent: float) -> dict:
    """Compute a training target heart rate with the Karvonen formula (max heart rate estimated as 220 - age).

    Args:
        age: Age in years.
        resting_heart_rate: Resting heart rate in beats per minute.
        intensity_percent: Training intensity in percent of heart-rate reserve (e.g. 50-85).
    """
    hr_max = 220 - age
    return {"max_heart_rate": hr_max, "target_heart_rate": round(resting_heart_rate + (hr_max - resting_heart_rate) * intensity_percent / 100)}


@api(examples=[{"arguments": {"height_cm": 180, "weight_kg": 80}, "result": 2.0}])
def body_surface_area(height_cm: float, weight_kg: float) -> float:
    """Compute body surface area in m2 (two decimals) with the Mosteller formula sqrt(height x weight / 3600).

    Args:
        height_cm: Height in centimetres.
        weight_kg: Weight in kilograms.
    """
    if height_cm <= 0 or weight_kg <= 0:
        raise ValueError("height and weight must be positive")
    return round(math.sqrt(height_cm * weight_kg / 3600), 2)


@api(examples=[{"arguments": {"height_cm": 180, "sex": "male"}, "result": 75.0}])
def ideal_body_weight(height_cm: float, sex: Literal["male", "female"]) -> float:
    """Compute ideal body weight (kg, one decimal) with the Devine formula: 50 kg (men) or 45.5 kg (women) + 2.3 kg per inch over 5 feet.

    Args:
        height_cm: Height in centimetres.
        sex: 'male' or 'female'.
    """
    inches_over = height_cm / 2.54 - 60
    return round((50 if sex == "male" else 45.5) + 2.3 * inches_over, 1)


@api(examples=[{"arguments": {"last_period_date": "2025-01-10"}, "result": {"due_date": "2025-10-17", "conception_estimate": "2025-01-24"}}])
def pregnancy_due_date(last_period_date: str, cycle_length_days: int = 28) -> dict:
    """Estimate a pregnancy due date with Naegele's rule (last menstrual period + 280 days, adjusted for cycle length).

    Args:
        last_period_date: ISO date of the first day of the last menstrual period.
        cycle_length_days: Average cycle length in days (21 to 35).
    """
    if not 21 <= cycle_length_days <= 35:
        raise ValueError("cycle length must be 21-35 days")
    lmp = dt.date.fromisoformat(last_period_date)
    shift = cycle_length_days - 28
    return {"due_date": (lmp + dt.timedelta(days=280 + shift)).isoformat(), "conception_estimate": (lmp + dt.timedelta(days=14 + shift)).isoformat()}


@api(examples=[{"arguments": {"qt_ms": 400, "heart_rate_bpm": 75}, "result": 447.2}])
def corrected_qt_interval(qt_ms: float, heart_rate_bpm: float) -> float:
    """Correct an ECG QT interval for heart rate with Bazett's formula QTc = QT / sqrt(RR) (milliseconds, one decimal).

    Args:
        qt_ms: Measured QT interval in milliseconds.
        heart_rate_bpm: Heart rate in beats per minute.
    """
    if heart_rate_bpm <= 0:
        raise ValueError("heart rate must be positive")
    return round(qt_ms / math.sqrt(60 / heart_rate_bpm), 1)


@api(examples=[{"arguments": {"systolic": 120, "diastolic": 80}, "result": 93.3}])
def mean_arterial_pressure(systolic: float, diastolic: float) -> float:
    """Estimate mean arterial pressure (mmHg, one decimal) as diastolic + (systolic - diastolic) / 3.

    Args:
        systolic: Systolic blood pressure in mmHg.
        diastolic: Diastolic blood pressure in mmHg.
    """
    return round(diastolic + (systolic - diastolic) / 3, 1)


@api(examples=[{"arguments": {"systolic": 128, "diastolic": 79}, "result": "Elevated"}, {"arguments": {"systolic": 142, "diastolic": 85}, "result": "Hypertension stage 2"}])
def blood_pressure_category(systolic: int, diastolic: int) -> str:
    """Classify an adult blood-pressure reading with the 2017 ACC/AHA categories.

    Args:
        systolic: Systolic pressure in mmHg.
        diastolic: Diastolic pressure in mmHg.
    """
    if systolic > 180 or diastolic > 120:
        return "Hypertensive crisis"
    if systolic >= 140 or diastolic >= 90:
        return "Hypertension stage 2"
    if systolic >= 130 or diastolic >= 80:
        return "Hypertension stage 1"
    return "Elevated" if systolic >= 120 else "Normal"


@api(examples=[{"arguments": {"met": 8.0, "weight_kg": 70, "minutes": 30}, "result": 280.0}])
def calories_burned(met: float, weight_kg: float, minutes: float) -> float:
    """Estimate energy burned in kcal from an activity's MET value: MET x body weight (kg) x hours.

    Args:
        met: Metabolic equivalent of the activity (e.g. 8.0 for running at 8 km/h, 3.5 for brisk walking).
        weight_kg: Body weight in kilograms.
        minutes: Duration in minutes.
    """
    return round(met * weight_kg * minutes / 60, 1)


@api(examples=[{"arguments": {"waist_cm": 85, "height_cm": 175}, "result": {"ratio": 0.49, "above_0_5": False}}])
def waist_to_height_ratio(waist_cm: float, height_cm: float) -> dict:
    """Compute the waist-to-height ratio and whether it exceeds the commonly used 0.5 threshold.

    Args:
        waist_cm: Waist circumference in centimetres.
        height_cm: Height in centimetres.
    """
    if height_cm <= 0:
        raise ValueError("height must be positive")
    ratio = waist_cm / height_cm
    return {"ratio": round(ratio, 2), "above_0_5": ratio > 0.5}


@api(examples=[{"arguments": {"age": 60, "weight_kg": 72, "serum_creatinine_mg_dl": 1.0, "sex": "male"}, "result": 80.0}])
def creatinine_clearance(age: int, weight_kg: float, serum_creatinine_mg_dl: float, sex: Literal["male", "female"]) -> float:
    """Estimate creatinine clearance (mL/min, one decimal) with the Cockcroft-Gault equation.

    Args:
        age: Age in years.
        weight_kg: Body weight in kilograms.
        serum_creatinine_mg_dl: Serum creatinine in mg/dL (positive).
        sex: 'male' or 'female' (female results x 0.85).
    """
    if serum_creatinine_mg_dl <= 0:
        raise ValueError("creatinine must be positive")
    value = (140 - age) * weight_kg / (72 * serum_creatinine_mg_dl)
    return round(value * (0.85 if sex == "female" else 1.0), 1)
