"""common.money: the one place rupees become paise and amounts become text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from common.money import paise_format, paise_to_rupees, rupees_format, rupees_to_paise


@pytest.mark.parametrize(
    ("rupees", "paise"),
    [(Decimal("0.00"), 0), (Decimal("1.00"), 100), (Decimal("499.50"), 49950), (Decimal("100000.00"), 10_000_000)],
)
def test_rupees_and_paise_convert_both_ways_exactly(rupees, paise):
    assert rupees_to_paise(rupees) == paise
    assert type(rupees_to_paise(rupees)) is int
    assert paise_to_rupees(paise) == rupees
    assert str(paise_to_rupees(paise)) == str(rupees)  # always two places


def test_a_fraction_of_a_paisa_is_refused_not_truncated():
    # int(price * 100) used to drop it silently: ₹0.999 would have been charged as 99 paise
    with pytest.raises(ValueError, match="whole number of paise"):
        rupees_to_paise(Decimal("0.999"))


def test_rupees_format():
    assert rupees_format(Decimal("123456.5")) == "₹123,456.50"
    assert rupees_format(0) == "₹0"  # a chart axis's whole-rupee zero
    assert rupees_format(Decimal("499"), currency="INR") == "INR 499.00"
    assert paise_format(123450) == "₹1,234.50"
    assert paise_format(49900, currency="INR") == "INR 499.00"


def test_templates_format_rupees_the_same_way():
    rendered = Template("{% load money %}{{ amount|rupees }}").render(Context({"amount": Decimal("1234.5")}))
    assert rendered == "₹1,234.50"
