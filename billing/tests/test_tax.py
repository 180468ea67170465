"""GST split and GSTIN checks: pure functions, every rupee amount from ₹1 to ₹99,999 in steps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.tax import gst_split, gstin_check_character, gstin_problem

RATE = Decimal("18")
# Every price from ₹1 to ₹99,999 in steps of ₹0.37 (odd paise, odd rupees), plus the edges.
AMOUNTS = [*range(100, 9_999_901, 37), 9_999_900, 1, 2, 3]


@pytest.mark.parametrize("intra_state", [True, False])
def test_inclusive_parts_add_up_to_the_amount_for_every_price(intra_state):
    for amount in AMOUNTS:
        split = gst_split(amount=amount, rate=RATE, intra_state=intra_state)
        # then the parts are whole paise that add up exactly, and the tax is the rate of the taxable value
        assert split.taxable_value + split.cgst + split.sgst + split.igst == amount
        # each part is off its exact value by at most half a paisa, which moves the taxable value too:
        # |tax − 18 % of taxable| ≤ 1.18 × (paise rounded away) — 1.18 paise for two halves, 0.59 for IGST
        assert abs(split.tax - split.taxable_value * RATE / 100) <= (
            Decimal("1.18") if intra_state else Decimal("0.59")
        )
        if intra_state:
            assert split.cgst == split.sgst and split.igst == 0
        else:
            assert split.cgst == split.sgst == 0


@pytest.mark.parametrize("intra_state", [True, False])
def test_exclusive_tax_is_added_on_top(intra_state):
    for amount in AMOUNTS[::50]:
        split = gst_split(amount=amount, rate=RATE, intra_state=intra_state, inclusive=False)
        assert split.taxable_value == amount
        assert split.total == amount + split.tax
        assert abs(split.tax - amount * RATE / 100) <= 1


def test_known_amounts():
    # ₹499 including 18 % GST: ₹422.88 taxable + ₹38.06 CGST + ₹38.06 SGST
    assert gst_split(amount=49900, rate=RATE, intra_state=True).__dict__ == {
        "taxable_value": 42288,
        "cgst": 3806,
        "sgst": 3806,
        "igst": 0,
    }
    # ₹1,180 between states: ₹1,000 + ₹180 IGST
    assert gst_split(amount=118000, rate=RATE, intra_state=False).__dict__ == {
        "taxable_value": 100000,
        "cgst": 0,
        "sgst": 0,
        "igst": 18000,
    }
    assert gst_split(amount=0, rate=RATE, intra_state=True).total == 0


def test_gstin_checksum():
    assert gstin_check_character("27AAPFU0939F1Z") == "V"
    assert gstin_problem("27AAPFU0939F1ZV") is None
    assert gstin_problem("29AAGCR4375J1ZU") is None
    assert "check character" in gstin_problem("27AAPFU0939F1ZW")
    assert "15-character" in gstin_problem("27AAPFU0939F1Z")
    assert "15-character" in gstin_problem("27aapfu0939f1zv")
    assert "state code" in gstin_problem("99AAPFU0939F1Z" + gstin_check_character("99AAPFU0939F1Z"))
