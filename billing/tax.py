"""GST: splitting an amount into taxable value and CGST + SGST or IGST, and checking GSTINs.

Pure functions, no database: amounts are paise (``int``), the rate a percentage (``Decimal``). The parts are
rounded to the paisa half-up and the taxable value absorbs the rounding, so they always add up to the total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# GST state and union-territory codes (the first two digits of a GSTIN).
STATES: dict[str, str] = {
    "01": "Jammu and Kashmir",
    "02": "Himachal Pradesh",
    "03": "Punjab",
    "04": "Chandigarh",
    "05": "Uttarakhand",
    "06": "Haryana",
    "07": "Delhi",
    "08": "Rajasthan",
    "09": "Uttar Pradesh",
    "10": "Bihar",
    "11": "Sikkim",
    "12": "Arunachal Pradesh",
    "13": "Nagaland",
    "14": "Manipur",
    "15": "Mizoram",
    "16": "Tripura",
    "17": "Meghalaya",
    "18": "Assam",
    "19": "West Bengal",
    "20": "Jharkhand",
    "21": "Odisha",
    "22": "Chhattisgarh",
    "23": "Madhya Pradesh",
    "24": "Gujarat",
    "26": "Dadra and Nagar Haveli and Daman and Diu",
    "27": "Maharashtra",
    "29": "Karnataka",
    "30": "Goa",
    "31": "Lakshadweep",
    "32": "Kerala",
    "33": "Tamil Nadu",
    "34": "Puducherry",
    "35": "Andaman and Nicobar Islands",
    "36": "Telangana",
    "37": "Andhra Pradesh",
    "38": "Ladakh",
    "97": "Other Territory",
}
STATE_CHOICES = sorted(STATES.items())

_GSTIN = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
_GSTIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_HUNDRED = Decimal(100)


def _round_paise(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class GstSplit:
    """The parts of an amount: ``taxable_value + cgst + sgst + igst == total``."""

    taxable_value: int
    cgst: int
    sgst: int
    igst: int

    @property
    def tax(self) -> int:
        return self.cgst + self.sgst + self.igst

    @property
    def total(self) -> int:
        return self.taxable_value + self.tax


def gst_split(*, amount: int, rate: Decimal, intra_state: bool, inclusive: bool = True) -> GstSplit:
    """Split ``amount`` paise at ``rate`` percent.

    ``inclusive``: ``amount`` already contains the tax (the total stays ``amount``); otherwise ``amount`` is
    the taxable value and the tax is added on top. Within one state the tax is CGST + SGST in two equal
    halves (each rounded, the taxable value takes the odd paisa); between states it is IGST.
    """
    if amount < 0 or rate < 0:
        raise ValueError("amount and rate must not be negative")
    if inclusive:
        base = Decimal(amount) / (_HUNDRED + rate)  # one percent of the taxable value
        if intra_state:
            half = _round_paise(base * rate / 2)
            return GstSplit(taxable_value=amount - 2 * half, cgst=half, sgst=half, igst=0)
        igst = _round_paise(base * rate)
        return GstSplit(taxable_value=amount - igst, cgst=0, sgst=0, igst=igst)
    base = Decimal(amount) / _HUNDRED
    if intra_state:
        half = _round_paise(base * rate / 2)
        return GstSplit(taxable_value=amount, cgst=half, sgst=half, igst=0)
    return GstSplit(taxable_value=amount, cgst=0, sgst=0, igst=_round_paise(base * rate))


def gstin_check_character(first14: str) -> str:
    """The 15th character of a GSTIN: a mod-36 Luhn-style checksum of the first fourteen."""
    total = 0
    for index, char in enumerate(first14):
        product = _GSTIN_ALPHABET.index(char) * (2 if index % 2 else 1)
        total += product // 36 + product % 36
    return _GSTIN_ALPHABET[(36 - total % 36) % 36]


def gstin_problem(gstin: str) -> str | None:
    """Why ``gstin`` is not a valid GSTIN, or None when it is (format, state code and checksum)."""
    if not _GSTIN.match(gstin):
        return "Enter a 15-character GSTIN such as 29ABCDE1234F1Z5."
    if gstin[:2] not in STATES:
        return "The GSTIN does not start with a valid state code."
    if gstin_check_character(gstin[:14]) != gstin[14]:
        return "The GSTIN's check character does not match: check it for typos."
    return None
