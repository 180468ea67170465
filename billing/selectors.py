"""Reads of billing: purchase history, the admin payment list, coupons and price quotes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from django.conf import settings
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessments.models import QuizAttempt
from billing.errors import BillingErrorCode
from billing.models import (
    BillingDetails,
    Coupon,
    CouponRedemption,
    EarningEntry,
    Payment,
    PayoutStatement,
    TaxDocument,
)
from billing.representations import PAYMENT_ROW_FIELDS
from billing.tax import GstSplit, gst_split
from catalog.models import Course, Enrollment, LessonProgress
from common.exceptions import ApplicationError, NotFoundError
from common.money import rupees_to_paise
from common.precompiled import PrecompiledQuery, PrecompiledRows

# Razorpay's smallest order is ₹1.00: a discounted amount between ₹0 and that cannot be charged.
MIN_CHARGE_PAISE = 100


def payments_for_user(*, user) -> QuerySet[Payment]:
    return Payment.objects.filter(user=user).select_related("course").order_by("-created_at")


_PAYMENT_ROWS = PrecompiledQuery(
    lambda user_id: Payment.objects.filter(user_id=user_id).order_by("-created_at").values(*PAYMENT_ROW_FIELDS),
    placeholder=UUID(int=0),
    field=Payment._meta.get_field("user"),
)


def payment_rows_for_user(*, user) -> PrecompiledRows:
    """My payments as flat rows, newest first (``payments_for_user``'s order), shaped by ``payment_representation``;
    the first page's SQL is compiled once (``common.precompiled``)."""
    return PrecompiledRows(_PAYMENT_ROWS, user.pk)


def payments_for_admin() -> QuerySet[Payment]:
    return Payment.objects.with_relations().order_by("-created_at")


def tax_document_get_for_download(*, user, payment_id, kind: str) -> TaxDocument:
    """The payment's invoice or credit note, for its buyer or an admin; 404 for anyone else or none yet."""
    documents = TaxDocument.objects.select_related("payment").filter(payment_id=payment_id, kind=kind)
    if not user.is_admin:
        documents = documents.filter(payment__user=user)
    document = documents.first()
    if document is None:
        raise NotFoundError("No such document.")
    return document


def billing_details_get(*, user) -> BillingDetails:
    """The learner's billing details (an unsaved empty row when they never set any)."""
    return BillingDetails.objects.filter(user=user).first() or BillingDetails(user=user)


# --- Coupons --------------------------------------------------------------------------------------


def coupons_for_admin() -> QuerySet[Coupon]:
    return Coupon.objects.select_related("domain").prefetch_related("courses").order_by("-created_at")


def coupons_with_revenue() -> QuerySet[Coupon]:
    """Coupons with their redeemed uses, free enrollments, revenue and discount given (paise), for reports."""
    redeemed = Q(redemptions__status=CouponRedemption.Status.REDEEMED)
    return Coupon.objects.annotate(
        redemptions_count=Count("redemptions", filter=redeemed),
        free_enrollments=Count("redemptions", filter=redeemed & Q(redemptions__payment__isnull=True)),
        revenue_paise=Coalesce(
            Sum("redemptions__payment__amount", filter=redeemed & Q(redemptions__payment__status__in=Payment.OWNED)),
            0,
        ),
        discount_paise=Coalesce(Sum("redemptions__discount", filter=redeemed), 0),
    )


def coupons_for_instructor(*, user) -> QuerySet[Coupon]:
    return coupons_for_admin().filter(created_by=user)


def coupon_get_by_code(*, code: str) -> Coupon | None:
    return Coupon.objects.filter(code=code.strip().upper()).first() if code.strip() else None


def coupon_uses_counted(*, coupon: Coupon, user, course: Course) -> tuple[int, int]:
    """(uses of ``coupon`` in total, uses by ``user``): redeemed ones plus holds of orders still payable.

    A hold older than the order-reuse window no longer counts (its order is abandoned). The learner's own
    open order for this course is left out: a new order reuses or supersedes it, never adds to it.
    """
    payable_since = timezone.now() - timedelta(minutes=settings.BILLING_ORDER_REUSE_MINUTES)
    counted = (
        CouponRedemption.objects.filter(coupon=coupon)
        .filter(
            Q(status=CouponRedemption.Status.REDEEMED)
            | Q(status=CouponRedemption.Status.HELD, created_at__gte=payable_since)
        )
        .exclude(status=CouponRedemption.Status.HELD, user=user, course=course)
    )
    total = counted.count()
    by_user = counted.filter(user=user).count()
    return total, by_user


def _coupon_refusal(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, errors={"coupon": [message]})


def coupon_applicability_check(*, coupon: Coupon | None, course: Course) -> Coupon:
    """``coupon`` if its code may be used on ``course`` now (limits aside), else a field error on ``coupon``."""
    now = timezone.now()
    if coupon is None or not coupon.active:
        raise _coupon_refusal("This code does not exist or is no longer active.", BillingErrorCode.COUPON_INVALID)
    if coupon.starts_at > now:
        raise _coupon_refusal("This code is not valid yet.", BillingErrorCode.COUPON_EXPIRED)
    if coupon.ends_at is not None and coupon.ends_at <= now:
        raise _coupon_refusal("This code has expired.", BillingErrorCode.COUPON_EXPIRED)
    listed = [c.pk for c in coupon.courses.all()]
    if (listed and course.pk not in listed) or (coupon.domain_id and coupon.domain_id != course.domain_id):
        raise _coupon_refusal("This code is not valid for this course.", BillingErrorCode.COUPON_NOT_APPLICABLE)
    if coupon.min_price is not None and course.price < coupon.min_price:
        raise _coupon_refusal(
            f"This code applies to courses priced at least ₹{coupon.min_price}.", BillingErrorCode.COUPON_NOT_APPLICABLE
        )
    return coupon


def coupon_limits_check(*, coupon: Coupon, user, course: Course) -> None:
    """Refuse a used-up code, or one this learner has used up. Exact only under the coupon's row lock."""
    total, by_user = coupon_uses_counted(coupon=coupon, user=user, course=course)
    if by_user >= coupon.max_per_user:
        raise _coupon_refusal("You have already used this code.", BillingErrorCode.COUPON_ALREADY_USED)
    if coupon.max_redemptions is not None and total >= coupon.max_redemptions:
        raise _coupon_refusal("This code has been used up.", BillingErrorCode.COUPON_USED_UP)


def coupon_discount(*, coupon: Coupon, list_price: int) -> int:
    """Paise off ``list_price`` (never more than it)."""
    if coupon.discount_type == Coupon.DiscountType.PERCENT:
        off = (Decimal(list_price) * coupon.value / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return min(int(off), list_price)
    return min(rupees_to_paise(coupon.value), list_price)


# --- Quotes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """What a learner pays for a course (paise): list price − discount, and its GST parts."""

    course: Course
    coupon: Coupon | None
    list_price: int
    discount: int
    split: GstSplit
    buyer_state: str

    @property
    def amount_payable(self) -> int:
        return self.split.total

    @property
    def currency(self) -> str:
        return "INR"


def price_quote(*, user, course: Course, coupon_code: str = "", details: BillingDetails | None = None) -> Quote:
    """The price of ``course`` for ``user`` with ``coupon_code`` (optional), or a field error on ``coupon``.

    Tax follows the buyer's billing state (the seller's own state when none is set: CGST + SGST).
    """
    coupon = None
    list_price = rupees_to_paise(course.price)
    discount = 0
    if coupon_code.strip():
        coupon = coupon_applicability_check(coupon=coupon_get_by_code(code=coupon_code), course=course)
        coupon_limits_check(coupon=coupon, user=user, course=course)
        discount = coupon_discount(coupon=coupon, list_price=list_price)
    details = details if details is not None else billing_details_get(user=user)
    buyer_state = details.state or settings.SELLER_STATE
    split = gst_split(
        amount=list_price - discount,
        rate=settings.GST_RATE,
        intra_state=buyer_state == settings.SELLER_STATE,
        inclusive=settings.PRICES_INCLUDE_GST,
    )
    if 0 < split.total < MIN_CHARGE_PAISE:
        message = "With this code the price is below ₹1.00, the smallest amount that can be charged."
        raise ApplicationError(message, code=BillingErrorCode.AMOUNT_BELOW_MINIMUM, errors={"coupon": [message]})
    return Quote(
        course=course, coupon=coupon, list_price=list_price, discount=discount, split=split, buyer_state=buyer_state
    )


# --- Instructor dashboard -------------------------------------------------------------------------


def _per_course(queryset: QuerySet, value) -> Subquery:
    """One aggregate of ``queryset`` (already filtered to ``course = OuterRef("pk")``) as a correlated subquery."""
    return Subquery(queryset.order_by().values("course").annotate(value=value).values("value")[:1])


def instructor_dashboard_courses(*, user) -> QuerySet[Course]:
    """The instructor's courses with their figures, in one query whatever the number of courses or learners:
    every figure is a correlated subquery on an index by course (enrollments, progress, attempts, ledger).
    Money is paise from the earnings ledger; rates are percentages."""
    since = timezone.now() - timedelta(days=30)
    course = OuterRef("pk")
    enrollments = Enrollment.objects.filter(course=course)
    ledger = EarningEntry.objects.filter(course=course)
    return (
        Course.objects.filter(instructor=user)
        .annotate(
            enrollments_total=Coalesce(_per_course(enrollments, Count("pk")), 0),
            enrollments_completed=Coalesce(_per_course(enrollments.filter(completed_at__isnull=False), Count("pk")), 0),
            active_30d=Coalesce(
                _per_course(
                    LessonProgress.objects.filter(course=course, completed_at__gte=since), Count("user", distinct=True)
                ),
                0,
            ),
            average_quiz_score=Subquery(
                QuizAttempt.objects.filter(module__course=course)
                .order_by()
                .values("module__course")
                .annotate(value=Avg("percentage"))
                .values("value")[:1]
            ),
            revenue=Coalesce(_per_course(ledger.filter(kind=EarningEntry.Kind.SALE), Sum("gross")), 0),
            refunds=Coalesce(_per_course(ledger.filter(kind=EarningEntry.Kind.REFUND), Sum("gross")), 0),
            net_earnings=Coalesce(_per_course(ledger, Sum("net")), 0),
        )
        .order_by("-created_at")
    )


# --- Payout statements ----------------------------------------------------------------------------


def payout_statements_visible(*, user) -> QuerySet[PayoutStatement]:
    """Every statement for an admin; an instructor's own otherwise (others' do not exist for them: 404)."""
    statements = PayoutStatement.objects.select_related("instructor").order_by("-month", "number")
    return statements if user.is_admin else statements.filter(instructor=user)


def payout_statement_get(*, user, pk) -> PayoutStatement:
    statement = payout_statements_visible(user=user).filter(pk=pk).first()
    if statement is None:
        raise NotFoundError("No such statement.")
    return statement


def payout_statement_entries(*, statement: PayoutStatement) -> QuerySet[EarningEntry]:
    """The statement's ledger entries, oldest first, with their course and payment (one query)."""
    return (
        EarningEntry.objects.filter(statement_line__statement=statement)
        .select_related("course", "payment")
        .order_by("created_at", "pk")
    )
