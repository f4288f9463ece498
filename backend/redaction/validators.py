"""Check digits of the identifiers the engine recognises or keeps: 统一社会信用代码 (GB 32100-2015) with its
organisation code (GB 11714), resident ID numbers (GB 11643) and bank cards (Luhn)."""

from __future__ import annotations

import datetime as dt
import re

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province-level codes of GB/T 2260 (first two digits of an ID number); 71 台湾, 81 香港, 82 澳门.
# fmt: off
_PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
        "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    }
)
# fmt: on



def _digits(text: str) -> bool:
    """ASCII decimal digits only: ``"³".isdigit()`` is true and ``int("³")`` raises."""
    return text.isascii() and text.isdigit()

def _org_code_valid(body: str) -> bool:
    """GB 11714 check character of a 9-character organisation code (8 body characters + check)."""
    total = 0
    for char, weight in zip(body[:8], _ORG_CODE_WEIGHTS, strict=True):
        if _digits(char):
            value = int(char)
        elif "A" <= char <= "Z":
            value = ord(char) - ord("A") + 10
        else:
            return False
        total += value * weight
    remainder = 11 - total % 11
    expected = "X" if remainder == 10 else "0" if remainder == 11 else str(remainder)
    return body[8] == expected


def is_valid_uscc(code: str, *, check_org_code: bool = True) -> bool:
    """统一社会信用代码 check (GB 32100-2015): 18 symbols, check digit = 31 − Σ(value×3^i mod 31) mod 31.

    Positions 9–17 are the GB 11714 organisation code, whose own check character is verified too
    unless ``check_org_code`` is False (all codes issued under GB 32100 carry a valid one).
    """
    code = code.strip().upper()
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    if _USCC_CHARS[(31 - total % 31) % 31] != code[17]:
        return False
    return not check_org_code or _org_code_valid(code[8:17])


def birth_date_from_id(number: str) -> dt.date | None:
    """Birth date encoded in an 18- or 15-digit resident ID number (None if implausible)."""
    number = number.strip().upper()
    if len(number) == 18 and _digits(number[:17]):
        raw = number[6:14]
    elif len(number) == 15 and _digits(number):
        raw = "19" + number[6:12]
    else:
        return None
    try:
        born = dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        return None
    return born if 1900 <= born.year <= 2100 else None


def id_plausible(number: str) -> bool:
    return number[:2] in _PROVINCE_CODES and birth_date_from_id(number) is not None


def is_valid_id_number(number: str, *, check_digit: bool = True) -> bool:
    """Resident ID number (GB 11643): province code, plausible birth date and (18-digit) ISO 7064 check."""
    number = number.strip().upper()
    if len(number) == 15:
        return _digits(number) and id_plausible(number)
    if len(number) != 18 or not _digits(number[:17]) or number[17] not in "0123456789X":
        return False
    if not id_plausible(number):
        return False
    if not check_digit:
        return True
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check used by bank card numbers."""
    digits = re.sub(r"[\s-]", "", digits)
    if not _digits(digits):
        return False
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0

