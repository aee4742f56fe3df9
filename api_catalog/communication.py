"""Communication: phone numbers (phonenumbers, Google's libphonenumber data), Morse code, the NATO
alphabet, SMS segmentation, e-mail syntax, internationalised domain names and meeting times."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from apigen.catalog import api

CATEGORY = "Communication"

_MORSE = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,?'!/()&:;=+-_\"$@", [
    ".-", "-...", "-.-.", "-..", ".", "..-.", "--.", "....", "..", ".---", "-.-", ".-..", "--", "-.", "---", ".--.", "--.-",
    ".-.", "...", "-", "..-", "...-", ".--", "-..-", "-.--", "--..", "-----", ".----", "..---", "...--", "....-", ".....",
    "-....", "--...", "---..", "----.", ".-.-.-", "--..--", "..--..", ".----.", "-.-.--", "-..-.", "-.--.", "-.--.-",
    ".-...", "---...", "-.-.-.", "-...-", ".-.-.", "-....-", "..--.-", ".-..-.", "...-..-", ".--.-."]))
_NATO = ["Alfa", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett", "Kilo", "Lima", "Mike",
         "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango", "Uniform", "Victor", "Whiskey", "X-ray", "Yankee", "Zulu"]
_DIGITS = ["Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"]
_GSM7 = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
         "¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM7_EXT = "^{}\\[~]|€\f"


def _parse_phone(number: str, default_region: str):
    import phonenumbers

    try:
        return phonenumbers.parse(number, default_region.upper() or None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"cannot parse '{number}': {exc}") from None


@api(examples=[{"arguments": {"number": "(650) 253-0000", "default_region": "US"}, "result": {"valid": True, "e164": "+16502530000", "region": "US"}},
               {"arguments": {"number": "+44 20 8366 117"}, "result": {"valid": False, "e164": "+44208366117", "region": ""}}])
def validate_phone_number(number: str, default_region: str = "") -> dict:
    """Validate a phone number against the numbering plan of its country and give its E.164 form.

    Args:
        number: The phone number, international (+...) or national.
        default_region: ISO alpha-2 country assumed for national numbers, e.g. 'US'.
    """
    import phonenumbers

    n = _parse_phone(number, default_region)
    valid = phonenumbers.is_valid_number(n)
    return {"valid": valid, "e164": phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164),
            "region": phonenumbers.region_code_for_number(n) or "" if valid else ""}


@api(examples=[{"arguments": {"number": "+442083661177", "style": "international"}, "result": "+44 20 8366 1177"},
               {"arguments": {"number": "+442083661177", "style": "national"}, "result": "020 8366 1177"}])
def format_phone_number(number: str, style: Literal["e164", "international", "national", "rfc3966"] = "international", default_region: str = "") -> str:
    """Format a phone number in E.164, international, national or RFC 3966 (tel: URI) style.

    Args:
        number: The phone number.
        style: Output style.
        default_region: ISO alpha-2 country assumed for national numbers.
    """
    import phonenumbers

    fmt = getattr(phonenumbers.PhoneNumberFormat, style.upper())
    return phonenumbers.format_number(_parse_phone(number, default_region), fmt)


@api(examples=[{"arguments": {"number": "+16502530000"}, "result": {"region": "US", "type": "FIXED_LINE_OR_MOBILE", "location": "Mountain View, CA", "time_zones": ["America/Los_Angeles"]}}])
def phone_number_details(number: str, default_region: str = "") -> dict:
    """Describe a phone number: country, line type (mobile, fixed line, toll free, ...), location and time zones.

    Args:
        number: The phone number.
        default_region: ISO alpha-2 country assumed for national numbers.
    """
    import phonenumbers
    from phonenumbers import geocoder, timezone

    n = _parse_phone(number, default_region)
    kind = phonenumbers.number_type(n)
    names = {v: k for k, v in vars(phonenumbers.PhoneNumberType).items() if k.isupper()}
    return {"region": phonenumbers.region_code_for_number(n) or "", "type": names.get(kind, "UNKNOWN"),
            "location": geocoder.description_for_number(n, "en"), "time_zones": list(timezone.time_zones_for_number(n))}


@api(examples=[{"arguments": {"country": "JP"}, "result": 81}])
def country_calling_code(country: str) -> int:
    """Give the international calling code (country dialling prefix) of a country.

    Args:
        country: ISO alpha-2 country code, e.g. 'JP'.
    """
    import phonenumbers

    code = phonenumbers.country_code_for_region(country.upper())
    if not code:
        raise ValueError(f"no calling code for '{country}'")
    return code


@api(examples=[{"arguments": {"text": "SOS Help"}, "result": "... --- ... / .... . .-.. .--."}])
def morse_encode(text: str) -> str:
    """Encode text as International Morse code: letters separated by spaces, words by ' / '.

    Args:
        text: Letters, digits and common punctuation.
    """
    words = text.upper().split()
    unknown = sorted({c for w in words for c in w if c not in _MORSE})
    if unknown:
        raise ValueError(f"no Morse code for {unknown}")
    return " / ".join(" ".join(_MORSE[c] for c in w) for w in words)


@api(examples=[{"arguments": {"code": "-- --- .-. ... . / -.-. --- -.. ."}, "result": "MORSE CODE"}])
def morse_decode(code: str) -> str:
    """Decode International Morse code (letters separated by spaces, words by '/') to text.

    Args:
        code: Dots and dashes, e.g. '... --- ...'.
    """
    reverse = {v: k for k, v in _MORSE.items()}
    try:
        return " ".join("".join(reverse[s] for s in w.split()) for w in code.split("/"))
    except KeyError as exc:
        raise ValueError(f"unknown Morse sequence {exc}") from None


@api(examples=[{"arguments": {"text": "Meet at 10:30 tomorrow?"}, "result": {"encoding": "GSM-7", "units": 23, "segments": 1}},
               {"arguments": {"text": "See you 🙂"}, "result": {"encoding": "UCS-2", "units": 10, "segments": 1}}])
def sms_segments(text: str) -> dict:
    """Count the SMS segments a message needs: GSM-7 (160 per SMS, 153 per part) or UCS-2 (70, 67 per part).

    Args:
        text: The message text.
    """
    if all(c in _GSM7 or c in _GSM7_EXT for c in text):
        units, single, multi, encoding = sum(2 if c in _GSM7_EXT else 1 for c in text), 160, 153, "GSM-7"
    else:
        units, single, multi, encoding = len(text.encode("utf-16-le")) // 2, 70, 67, "UCS-2"
    segments = 1 if units <= single else -(-units // multi)
    return {"encoding": encoding, "units": units, "segments": segments}


@api(examples=[{"arguments": {"text": "AB12"}, "result": ["Alfa", "Bravo", "One", "Two"]}])
def nato_spell(text: str) -> list[str]:
    """Spell letters and digits with the NATO/ICAO phonetic alphabet (other characters are skipped).

    Args:
        text: The text to spell, e.g. a booking reference.
    """
    return [_NATO[ord(c) - 65] if c.isalpha() else _DIGITS[int(c)] for c in text.upper() if c.isascii() and c.isalnum()]


@api(examples=[{"arguments": {"address": "Jane.Doe+news@Example.COM"}, "result": {"valid": True, "local_part": "Jane.Doe+news", "domain": "example.com"}},
               {"arguments": {"address": "jane..doe@example"}, "result": {"valid": False, "local_part": "jane..doe", "domain": "example"}}])
def validate_email_syntax(address: str) -> dict:
    """Check an e-mail address's syntax (dot-atom local part, dotted domain with a TLD); no mailbox lookup.

    Args:
        address: The e-mail address.
    """
    local, sep, domain = address.strip().rpartition("@")
    atom = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
    label = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    valid = bool(sep) and len(local) <= 64 and re.fullmatch(rf"{atom}(?:\.{atom})*", local) is not None \
        and re.fullmatch(rf"(?:{label}\.)+[A-Za-z]{{2,63}}", domain) is not None
    return {"valid": valid, "local_part": local, "domain": domain.lower()}


@api(examples=[{"arguments": {"domain": "bücher.example"}, "result": "xn--bcher-kva.example"}])
def idn_to_ascii(domain: str) -> str:
    """Convert an internationalised domain name to its ASCII (Punycode, IDNA) form.

    Args:
        domain: Domain name with Unicode labels, e.g. 'bücher.example'.
    """
    return domain.strip().encode("idna").decode("ascii")


@api(examples=[{"arguments": {"local_datetime": "2025-06-02T16:00", "zone": "Europe/London", "attendee_zones": ["America/New_York", "Asia/Kolkata"]},
                "result": {"America/New_York": "2025-06-02 11:00", "Asia/Kolkata": "2025-06-02 20:30"}}])
def meeting_time_in_zones(local_datetime: str, zone: str, attendee_zones: list[str]) -> dict:
    """Show a meeting's local start time for attendees in other time zones.

    Args:
        local_datetime: Meeting start in the organiser's local time, ISO 8601 without offset.
        zone: Organiser's IANA time zone.
        attendee_zones: IANA time zones of the attendees.
    """
    start = dt.datetime.fromisoformat(local_datetime).replace(tzinfo=ZoneInfo(zone))
    return {z: start.astimezone(ZoneInfo(z)).strftime("%Y-%m-%d %H:%M") for z in attendee_zones}


@api(examples=[{"arguments": {"to": "team@example.com", "subject": "Q3 report", "body": "Draft attached & ready."},
                "result": "mailto:team@example.com?subject=Q3%20report&body=Draft%20attached%20%26%20ready."}])
def build_mailto_link(to: str, subject: str = "", body: str = "", cc: str = "") -> str:
    """Build a mailto: link (RFC 6068) with percent-encoded subject, body and cc fields.

    Args:
        to: Recipient address(es), comma-separated.
        subject: E-mail subject.
        body: E-mail body text.
        cc: Carbon-copy address(es), comma-separated.
    """
    fields = [(k, v) for k, v in (("cc", cc), ("subject", subject), ("body", body)) if v]
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in fields)
    return f"mailto:{quote(to, safe='@,')}" + (f"?{query}" if query else "")
