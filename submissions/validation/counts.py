"""What a count may look like.

A count is a whole number from 0 to 10,000,000 (spec section 2). Accepted, because spreadsheets
produce them for whole numbers: ints; whole floats (Excel stores 12 as 12.0); text of digits with
surrounding spaces (" 12 "); text with a zero decimal part ("12.0"); and text with correctly grouped
thousands separators ("1,234", "1,234,567"), which Excel writes into a CSV when the cells have a
number format. Refused: blank, other text (including "1,23" and "1.234,5"), negative numbers,
decimals (12.5), formulas, dates, TRUE/FALSE, and anything over 10,000,000.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time

from submissions.returnfile import Formula, cell_text
from submissions.schema import MAX_COUNT

ENTER_COUNT = "Enter a whole number of 0 or more, like 12. Enter 0 if there are none."

_DIGITS = re.compile(r"\d+")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+")
_WHOLE_DECIMAL = re.compile(r"(\d+)\.0*")
_NUMBER = re.compile(r"[-+]?\d[\d,]*(\.\d*)?|[-+]?\.\d+")


class CountError(ValueError):
    """A value that is not a count. `code` is a problem code, `message` plain English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def fix(self) -> str:
        if self.code == "count_too_large":
            return f"Check the number: counts must be {MAX_COUNT:,} or less."
        if self.code == "count_not_whole":
            return "Enter a whole number without decimals, like 12."
        return ENTER_COUNT


def parse_count(value: object) -> int:
    """Turn a raw cell value into a count, or raise `CountError` saying what is wrong with it."""
    if isinstance(value, Formula):
        raise CountError("formula", "this is a formula, not a number.")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CountError("count_blank", "the count is blank.")
    if isinstance(value, (bool, datetime, date, time)):
        raise CountError("count_not_number", f"{cell_text(value)} is not a number.")
    number = _number(value)
    if number < 0:
        raise CountError("count_negative", f"{_show(value)} is a negative number.")
    if number != int(number):
        raise CountError("count_not_whole", f"{_show(value)} is not a whole number.")
    if number > MAX_COUNT:
        raise CountError("count_too_large", f"{_show(value)} is more than {MAX_COUNT:,}.")
    return int(number)


def _number(value: object) -> float | int:
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CountError("count_not_number", "this is not a number.")
        return value
    text = str(value).strip()
    if _DIGITS.fullmatch(text):
        return int(text)
    if match := _WHOLE_DECIMAL.fullmatch(text):
        return int(match.group(1))
    if _NUMBER.fullmatch(text) and ("," not in text or _GROUPED.fullmatch(text.lstrip("+-").split(".")[0])):
        # thousands separators only in their right places: "1,234" but not "1,23"
        return float(text.replace(",", ""))
    raise CountError("count_not_number", f'"{text[:40]}" is not a number.')


def _show(value: object) -> str:
    """The value as the user typed it, as far as we can tell."""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).strip()
