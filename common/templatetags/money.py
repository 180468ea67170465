"""``{% load money %}``: rupee amounts in templates, formatted by common.money like everywhere else."""

from __future__ import annotations

from decimal import Decimal

from django import template

from common.money import paise_format, rupees_format

register = template.Library()


@register.filter
def rupees(value: Decimal | int) -> str:
    """``{{ amount|rupees }}`` -> ``₹1,234.50``."""
    return rupees_format(value)


@register.filter
def paise_inr(value: int) -> str:
    """``{{ payment.amount|paise_inr }}`` -> ``INR 1,234.50`` (for PDFs whose fonts have no ₹ sign)."""
    return paise_format(value, currency="INR")
