"""Money: course prices are rupees (``Decimal``, two places); payments and Razorpay amounts are paise (``int``).

Every conversion between the two and every rupee amount shown to a person (admin, mails, charts) goes
through here.
"""

from __future__ import annotations

from decimal import Decimal

PAISE_PER_RUPEE = 100
RUPEE_SYMBOL = "₹"
_PAISA = Decimal("0.01")


def rupees_to_paise(rupees: Decimal) -> int:
    """``Decimal("499.50")`` -> ``49950``; a fraction of a paisa is a bug upstream, never rounded away."""
    paise = rupees * PAISE_PER_RUPEE
    if paise != paise.to_integral_value():
        raise ValueError(f"{rupees} rupees is not a whole number of paise")
    return int(paise)


def paise_to_rupees(paise: int) -> Decimal:
    """``49950`` -> ``Decimal("499.50")`` (always two places)."""
    return (Decimal(paise) / PAISE_PER_RUPEE).quantize(_PAISA)


def rupees_format(rupees: Decimal | int, *, currency: str | None = None) -> str:
    """``Decimal("1234.5")`` -> ``"₹1,234.50"``; ``currency="INR"`` -> ``"INR 1,234.50"``.

    A ``Decimal`` is an amount and shows its paise; an ``int`` is whole rupees (a chart axis's ``₹0``).
    """
    prefix = f"{currency} " if currency else RUPEE_SYMBOL
    return f"{prefix}{rupees:,.2f}" if isinstance(rupees, Decimal) else f"{prefix}{rupees:,}"


def paise_format(paise: int, *, currency: str | None = None) -> str:
    """``123450`` -> ``"₹1,234.50"`` (a payment's stored amount, shown in rupees)."""
    return rupees_format(paise_to_rupees(paise), currency=currency)
