"""Units written after a numeric answer, and conversion between units of one dimension.

`500 cm` and `5 m` are the same length; `28.27 \\text{ cm}^2` is the number 28.27 in cm².
Only common SI and imperial units are known; other words after a number stay plain unit words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LENGTH = {
    "mm": 1e-3, "millimeter": 1e-3, "millimetre": 1e-3,
    "cm": 1e-2, "centimeter": 1e-2, "centimetre": 1e-2,
    "m": 1.0, "meter": 1.0, "metre": 1.0,
    "km": 1e3, "kilometer": 1e3, "kilometre": 1e3,
    "in": 0.0254, "inch": 0.0254, "inche": 0.0254,
    "ft": 0.3048, "foot": 0.3048, "feet": 0.3048,
    "yd": 0.9144, "yard": 0.9144, "mi": 1609.344, "mile": 1609.344,
}  # fmt: skip
_MASS = {
    "mg": 1e-6, "milligram": 1e-6, "g": 1e-3, "gram": 1e-3,
    "kg": 1.0, "kilogram": 1.0, "lb": 0.45359237, "oz": 0.028349523125,
    "ton": 1e3, "tonne": 1e3,
}  # fmt: skip
_TIME = {
    "s": 1.0, "sec": 1.0, "second": 1.0, "min": 60.0, "minute": 60.0,
    "h": 3600.0, "hr": 3600.0, "hour": 3600.0, "day": 86400.0, "week": 604800.0,
}  # fmt: skip
_VOLUME = {"ml": 1e-3, "milliliter": 1e-3, "millilitre": 1e-3, "l": 1.0, "liter": 1.0, "litre": 1.0}
_TABLE = {
    **{k: ("length", v) for k, v in _LENGTH.items()},
    **{k: ("mass", v) for k, v in _MASS.items()},
    **{k: ("time", v) for k, v in _TIME.items()},
    **{k: ("volume", v) for k, v in _VOLUME.items()},
}
_POWER = {"2": 2, "3": 3, "\u00b2": 2, "\u00b3": 3}

_TAIL = re.compile(
    r"^(?P<number>.*?[\d}])\s*(?:\\,|\\;|\\ |~)*\s*"
    r"(?:\\(?:text|mathrm|mbox|textrm|operatorname)\s*\{\s*(?P<latex>[^{}]*?)\s*\}"
    r"|(?P<plain>[A-Za-z]+(?:\s*/\s*[A-Za-z]+)?))"
    r"\s*(?:\^\s*\{?\s*(?P<pow>[23])\s*\}?|(?P<sup>[\u00b2\u00b3]))?\.?$"
)


@dataclass(frozen=True)
class Unit:
    """A known unit: its dimension (`length^2`) and its size in base units (m, kg, s, l)."""

    dimension: str
    factor: float


def _single(word: str) -> tuple[str, float] | None:
    word = word.strip().lower() if len(word.strip()) > 1 else word.strip()
    for candidate in (word, word[:-1] if word.endswith("s") and len(word) > 2 else word):
        if candidate in _TABLE:
            return _TABLE[candidate]
    return None


def parse_unit(text: str, power: int = 1) -> Unit | None:
    """`cm`, `m/s`, `km/h`, raised to `power`; None for words that are not known units."""
    parts = [part.strip() for part in text.split("/")]
    if not parts or len(parts) > 2 or not all(parts):
        return None
    known = [_single(part) for part in parts]
    if any(unit is None for unit in known):
        return None
    dimensions = [unit[0] for unit in known if unit is not None]
    factors = [unit[1] for unit in known if unit is not None]
    # The power belongs to the last unit written (`m/s^2` is metres per second squared).
    if power > 1:
        dimensions[-1] = f"{dimensions[-1]}^{power}"
        factors[-1] **= power
    if len(parts) == 2:
        return Unit(f"{dimensions[0]}/{dimensions[1]}", factors[0] / factors[1])
    return Unit(dimensions[0], factors[0])


def split_units(text: str) -> tuple[str, str, Unit | None] | None:
    """Split `28.27 \\text{ cm}^2` into (`28.27`, `cm^2`, its Unit); None without a unit tail.

    The unit tail must be words (not a variable such as `x` after a number, which is a
    product): a single letter counts only when it is a known unit inside `\\text{}` or is
    `m`, `s`, `g`, `h` or `l` after a space.
    """
    match = _TAIL.match(text.strip())
    if match is None:
        return None
    words = match["latex"] if match["latex"] is not None else match["plain"]
    power = _POWER.get(match["pow"] or match["sup"] or "", 1)
    if not words or not re.fullmatch(r"[A-Za-z]+(?:\s*/\s*[A-Za-z]+)?|[A-Za-z ]+", words):
        return None
    single_letter = len(words.strip()) == 1
    if single_letter and match["plain"] is not None and not text.strip()[-2:-1].isspace():
        return None
    unit = parse_unit(words, power)
    if single_letter and unit is None:
        return None
    label = words.strip() + (f"^{power}" if power > 1 else "")
    return match["number"].strip(), label, unit
