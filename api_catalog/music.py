"""Music: theory computed from twelve-tone equal temperament: note frequencies and MIDI numbers,
intervals, scales, chords, key signatures, transposition and tempo arithmetic."""

from __future__ import annotations

import math
import re
from typing import Literal

from apigen.catalog import api

CATEGORY = "Music"
_SHARPS = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
_FLATS = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"]
_INTERVALS = ["perfect unison", "minor second", "major second", "minor third", "major third", "perfect fourth", "tritone",
              "perfect fifth", "minor sixth", "major sixth", "minor seventh", "major seventh", "perfect octave"]
_MODES = {"major": [0, 2, 4, 5, 7, 9, 11], "natural_minor": [0, 2, 3, 5, 7, 8, 10], "harmonic_minor": [0, 2, 3, 5, 7, 8, 11],
          "dorian": [0, 2, 3, 5, 7, 9, 10], "mixolydian": [0, 2, 4, 5, 7, 9, 10], "major_pentatonic": [0, 2, 4, 7, 9],
          "minor_pentatonic": [0, 3, 5, 7, 10], "blues": [0, 3, 5, 6, 7, 10]}
_CHORDS = {"major": [0, 4, 7], "minor": [0, 3, 7], "diminished": [0, 3, 6], "augmented": [0, 4, 8], "sus2": [0, 2, 7], "sus4": [0, 5, 7],
           "dominant7": [0, 4, 7, 10], "major7": [0, 4, 7, 11], "minor7": [0, 3, 7, 10], "half_diminished7": [0, 3, 6, 10]}
_MAJOR_KEYS = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]  # 7 flats .. 7 sharps
_MINOR_KEYS = ["Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#"]


def _pitch_class(name: str) -> int:
    m = re.fullmatch(r"([A-Ga-g])([#b]*)", name.strip())
    if not m:
        raise ValueError(f"'{name}' is not a note name like C, F# or Bb")
    return (_SHARPS.index(m.group(1).upper()) + m.group(2).count("#") - m.group(2).count("b")) % 12


def _midi(note: str) -> int:
    m = re.fullmatch(r"\s*([A-Ga-g][#b]*)(-?\d)\s*", note)
    if not m:
        raise ValueError(f"'{note}' is not a note with octave like A4 or C#3")
    letter_pc = _SHARPS.index(m.group(1)[0].upper())
    return 12 * (int(m.group(2)) + 1) + letter_pc + m.group(1).count("#") - m.group(1).count("b")


@api(examples=[{"arguments": {"note": "A4"}, "result": {"frequency_hz": 440.0, "midi": 69}}, {"arguments": {"note": "C4"}, "result": {"frequency_hz": 261.626, "midi": 60}}])
def note_frequency(note: str, a4_hz: float = 440.0) -> dict:
    """Give a note's frequency in equal temperament and its MIDI number (scientific pitch notation, C4 = middle C).

    Args:
        note: Note with octave, e.g. 'A4', 'C#5', 'Bb2'.
        a4_hz: Tuning reference for A4 in Hz.
    """
    midi = _midi(note)
    return {"frequency_hz": round(a4_hz * 2 ** ((midi - 69) / 12), 3), "midi": midi}


@api(examples=[{"arguments": {"frequency_hz": 445}, "result": {"note": "A4", "cents_off": 19.56}}])
def frequency_to_note(frequency_hz: float, a4_hz: float = 440.0) -> dict:
    """Find the nearest equal-tempered note to a frequency and how many cents the frequency is off (like a tuner).

    Args:
        frequency_hz: Frequency in Hz (positive).
        a4_hz: Tuning reference for A4 in Hz.
    """
    if frequency_hz <= 0:
        raise ValueError("frequency must be positive")
    semis = 12 * math.log2(frequency_hz / a4_hz) + 69
    midi = round(semis)
    return {"note": f"{_SHARPS[midi % 12]}{midi // 12 - 1}", "cents_off": round((semis - midi) * 100, 2)}


@api(examples=[{"arguments": {"lower": "C4", "upper": "G4"}, "result": {"semitones": 7, "name": "perfect fifth", "frequency_ratio": 1.4983}}])
def interval_between_notes(lower: str, upper: str) -> dict:
    """Name the interval between two notes with octaves: semitones, interval name (within an octave) and frequency ratio.

    Args:
        lower: First note, e.g. 'C4'.
        upper: Second note, e.g. 'G4'.
    """
    semis = _midi(upper) - _midi(lower)
    size = abs(semis)
    name = _INTERVALS[size % 12] if size % 12 or not size else "perfect octave"
    if size > 12:
        name = f"{name} plus {(size - 1) // 12} octave(s)" if size % 12 else f"{size // 12} octaves"
    return {"semitones": semis, "name": name, "frequency_ratio": round(2 ** (semis / 12), 4)}


@api(examples=[{"arguments": {"root": "D", "mode": "major"}, "result": ["D", "E", "F#", "G", "A", "B", "C#"]},
               {"arguments": {"root": "A", "mode": "minor_pentatonic"}, "result": ["A", "C", "D", "E", "G"]}])
def build_scale(root: str, mode: Literal["major", "natural_minor", "harmonic_minor", "dorian", "mixolydian", "major_pentatonic", "minor_pentatonic", "blues"] = "major") -> list[str]:
    """List the notes of a scale from a root note (flat keys are spelled with flats, others with sharps).

    Args:
        root: Root note name, e.g. 'D', 'Bb', 'F#'.
        mode: Scale type.
    """
    pc = _pitch_class(root)
    names = _FLATS if ("b" in root[1:] or root.strip().upper() == "F") else _SHARPS
    return [names[(pc + step) % 12] for step in _MODES[mode]]


@api(examples=[{"arguments": {"root": "G", "quality": "dominant7"}, "result": ["G", "B", "D", "F"]}])
def chord_notes(root: str, quality: Literal["major", "minor", "diminished", "augmented", "sus2", "sus4", "dominant7", "major7", "minor7", "half_diminished7"] = "major") -> list[str]:
    """Spell the notes of a chord from its root and quality.

    Args:
        root: Root note name, e.g. 'G' or 'Eb'.
        quality: Chord quality.
    """
    pc = _pitch_class(root)
    names = _FLATS if "b" in root[1:] or quality in ("minor", "diminished", "minor7", "half_diminished7", "dominant7") and pc in (0, 5, 7, 10, 3) else _SHARPS
    return [names[(pc + step) % 12] for step in _CHORDS[quality]]


@api(examples=[{"arguments": {"notes": ["C", "E", "G"], "semitones": 3}, "result": ["D#", "G", "A#"]},
               {"arguments": {"notes": ["C", "E", "G"], "semitones": 3, "prefer_flats": True}, "result": ["Eb", "G", "Bb"]}])
def transpose_notes(notes: list[str], semitones: int, prefer_flats: bool = False) -> list[str]:
    """Transpose note names up (positive) or down (negative) by a number of semitones.

    Args:
        notes: Note names without octave.
        semitones: Semitones to shift.
        prefer_flats: Spell black keys as flats instead of sharps.
    """
    names = _FLATS if prefer_flats else _SHARPS
    return [names[(_pitch_class(n) + semitones) % 12] for n in notes]


@api(examples=[{"arguments": {"key": "E", "mode": "major"}, "result": {"sharps": 4, "flats": 0, "relative_key": "C# minor"}},
               {"arguments": {"key": "D", "mode": "minor"}, "result": {"sharps": 0, "flats": 1, "relative_key": "F major"}}])
def key_signature(key: str, mode: Literal["major", "minor"] = "major") -> dict:
    """Give the number of sharps or flats in a key signature and the relative major or minor key.

    Args:
        key: Tonic note, e.g. 'E', 'Bb', 'F#'.
        mode: 'major' or 'minor'.
    """
    table = _MAJOR_KEYS if mode == "major" else _MINOR_KEYS
    tonic = key.strip()[0].upper() + key.strip()[1:]
    if tonic not in table:
        raise ValueError(f"no standard {mode} key signature for '{key}'")
    pos = table.index(tonic) - 7
    other = _MINOR_KEYS[table.index(tonic)] + " minor" if mode == "major" else _MAJOR_KEYS[table.index(tonic)] + " major"
    return {"sharps": max(pos, 0), "flats": max(-pos, 0), "relative_key": other}


@api(examples=[{"arguments": {"bpm": 120}, "result": {"whole": 2000.0, "half": 1000.0, "quarter": 500.0, "eighth": 250.0, "sixteenth": 125.0, "dotted_eighth": 375.0, "quarter_triplet": 333.333}}])
def note_durations_ms(bpm: float) -> dict:
    """Compute note lengths in milliseconds at a tempo (quarter note = one beat), e.g. for delay effects.

    Args:
        bpm: Tempo in quarter-note beats per minute (positive).
    """
    if bpm <= 0:
        raise ValueError("bpm must be positive")
    q = 60000 / bpm
    return {"whole": round(q * 4, 3), "half": round(q * 2, 3), "quarter": round(q, 3), "eighth": round(q / 2, 3),
            "sixteenth": round(q / 4, 3), "dotted_eighth": round(q * 0.75, 3), "quarter_triplet": round(q * 2 / 3, 3)}


@api(examples=[{"arguments": {"beat_times_s": [0.0, 0.5, 1.01, 1.5, 2.0]}, "result": 120.0}])
def tempo_from_beats(beat_times_s: list[float]) -> float:
    """Estimate the tempo in BPM (one decimal) from tapped beat times, using the average interval.

    Args:
        beat_times_s: Times of consecutive beats in seconds (at least two, increasing).
    """
    if len(beat_times_s) < 2 or any(b <= a for a, b in zip(beat_times_s, beat_times_s[1:])):
        raise ValueError("need at least two increasing beat times")
    return round(60 * (len(beat_times_s) - 1) / (beat_times_s[-1] - beat_times_s[0]), 1)


@api(examples=[{"arguments": {"bpm": 90, "beats_per_bar": 4, "bars": 32}, "result": {"seconds": 85.333, "readable": "1:25"}}])
def song_length(bpm: float, beats_per_bar: int, bars: int) -> dict:
    """Compute how long a number of bars lasts at a tempo and time signature.

    Args:
        bpm: Tempo in beats per minute.
        beats_per_bar: Beats per bar (the time signature's top number).
        bars: Number of bars.
    """
    if bpm <= 0 or beats_per_bar <= 0 or bars < 0:
        raise ValueError("bpm and beats per bar must be positive")
    seconds = bars * beats_per_bar * 60 / bpm
    return {"seconds": round(seconds, 3), "readable": f"{int(seconds // 60)}:{int(seconds % 60):02d}"}


@api(examples=[{"arguments": {"key": "G"}, "result": {"fifth_above": "D", "fifth_below": "C", "relative_minor": "E"}}])
def circle_of_fifths_neighbors(key: str) -> dict:
    """Give a major key's neighbours on the circle of fifths (dominant and subdominant keys) and its relative minor.

    Args:
        key: Major key tonic, e.g. 'G' or 'Eb'.
    """
    pc = _pitch_class(key)
    names = _FLATS if ("b" in key[1:] or key.strip().upper() == "F") else _SHARPS
    return {"fifth_above": names[(pc + 7) % 12], "fifth_below": names[(pc + 5) % 12], "relative_minor": names[(pc + 9) % 12]}


@api(examples=[{"arguments": {"frequency_a_hz": 440, "frequency_b_hz": 442}, "result": 7.85}])
def cents_between(frequency_a_hz: float, frequency_b_hz: float) -> float:
    """Compute the pitch difference in cents between two frequencies (100 cents = one equal-tempered semitone).

    Args:
        frequency_a_hz: Reference frequency in Hz.
        frequency_b_hz: Compared frequency in Hz.
    """
    if frequency_a_hz <= 0 or frequency_b_hz <= 0:
        raise ValueError("frequencies must be positive")
    return round(1200 * math.log2(frequency_b_hz / frequency_a_hz), 2)
