"""Business rules of billing: orders, verification, webhook events, refunds and reconciliation.

Money and access stay consistent because every settlement goes through ``payment_settle_captured``,
``payment_settle_failed`` or ``payment_settle_refund``: each locks the payment row
(``select_for_update``), applies the state machine of ``Payment.TRANSITIONS`` and is a no-op when the
state already says so. Verify, webhooks and reconciliation may therefore race or repeat freely.
Razorpay is called (through ``billing.gateway``) before any transaction opens, never inside one.

Events may arrive in any order, twice, or never. A refund reported for a capture we have not recorded is
decided from the payment entity fetched from Razorpay (paid-and-refunded, no access ever granted); an
event that cannot be applied yet is kept ``pending`` and retried by a redelivery or by reconciliation;
reconciliation also walks Razorpay's recent refunds, so a lost ``refund.processed`` still takes access
back. The final state is Razorpay's whatever the delivery order.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, router, transaction
from django.db.models import Exists, F, Q, QuerySet
from django.db.models.query import MAX_GET_RESULTS
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from billing import gateway, selectors
from billing.errors import BillingErrorCode
from billing.models import (
    BillingDetails,
    Coupon,
    CouponRedemption,
    CourseCommission,
    EarningEntry,
    Payment,
    PayoutStatement,
    PayoutStatementLine,
    TaxDocument,
    TaxDocumentCounter,
    WebhookEvent,
)
from billing.pdf import payout_statement_csv_render, payout_statement_pdf_render, tax_document_pdf_render
from billing.signals import payment_refunded
from billing.tasks import (
    payment_duplicate_refund_task,
    payment_receipt_send,
    payout_statement_render,
    tax_document_render,
)
from billing.tax import GstSplit, gst_split
from catalog.errors import CatalogErrorCode
from catalog.models import Course, Enrollment
from catalog.selectors import active_enrollment_get
from catalog.services import enrollment_grant, enrollment_revoke
from common.background import enqueue_on_commit
from common.exceptions import ApplicationError, ConflictError, NotFoundError
from common.files import rendered_pdf_store
from common.precompiled import PrecompiledQuery, get_one
from common.rows import instance_with_related, select_related_values
from common.services import model_insert_if_absent, model_update
from common.timeutils import financial_year, local_date, local_midnight, local_today, month_start, next_month_start

logger = logging.getLogger(__name__)

CURRENCY = "INR"
DUPLICATE_REASON = "Duplicate payment for a course already bought."
REFUND_REASON = "Payment refunded."


# --- Orders ---------------------------------------------------------------------------------------


def payment_order_create(*, user, course: Course, coupon_code: str = "") -> tuple[Payment | None, bool]:
    """Open (or reuse) the Razorpay order for ``user`` buying ``course``. Returns (payment, created).

    With a coupon the order is for the discounted amount and holds one use of the code; a code that makes
    the course free enrolls the learner at once, without Razorpay, and returns ``(None, True)``.
    """
    if course.status != Course.Status.PUBLISHED:
        raise NotFoundError("No such course.", code=BillingErrorCode.COURSE_NOT_PURCHASABLE)
    if course.is_free:
        raise ApplicationError(
            "This course is free: enroll directly with POST /api/courses/{id}/enroll/.",
            code=BillingErrorCode.COURSE_IS_FREE,
            errors={"course": ["This course is free; enroll directly instead of paying."]},
        )
    if active_enrollment_get(user=user, course_id=course.pk) is not None:
        raise ConflictError("You are already enrolled in this course.", code=CatalogErrorCode.ALREADY_ENROLLED)
    if Payment.objects.filter(user=user, course=course, status__in=Payment.OWNED).exists():
        raise ConflictError("You have already bought this course.", code=BillingErrorCode.ALREADY_PURCHASED)

    quote = selectors.price_quote(user=user, course=course, coupon_code=coupon_code)  # prices from the database
    if quote.amount_payable == 0:
        coupon_enroll_free(user=user, quote=quote)
        return None, True
    amount = quote.amount_payable
    reusable_since = timezone.now() - timedelta(minutes=settings.BILLING_ORDER_REUSE_MINUTES)
    open_order = (
        Payment.objects.filter(user=user, course=course, status=Payment.Status.CREATED)
        .select_related("coupon_redemption")
        .first()
    )
    if (
        open_order is not None
        and open_order.amount == amount
        and open_order.created_at >= reusable_since
        and _order_coupon_id(open_order) == (quote.coupon.pk if quote.coupon else None)
    ):
        return open_order, False

    pk = uuid.uuid4()
    receipt = f"dca_{pk.hex}"
    notes = {"payment": str(pk), "user": str(user.pk), "course": str(course.pk)}
    if quote.coupon is not None:
        notes["coupon"] = quote.coupon.code
    order = gateway.order_create(amount=amount, currency=CURRENCY, receipt=receipt, notes=notes)
    try:
        with transaction.atomic():
            if quote.coupon is not None:
                # The coupon's row lock makes concurrent buyers count its uses one at a time: of twenty
                # learners racing for the last use, one gets the hold, the others a field error.
                Coupon.objects.select_for_update().get(pk=quote.coupon.pk)
                selectors.coupon_limits_check(coupon=quote.coupon, user=user, course=course)
            if open_order is not None:
                # Stale, repriced or another code: retire it (a capture reported for it later still ends in paid).
                updated = Payment.objects.filter(pk=open_order.pk, status=Payment.Status.CREATED).update(
                    status=Payment.Status.FAILED,
                    failure_reason="Superseded by a newer order.",
                    failed_at=timezone.now(),
                    updated_at=timezone.now(),
                )
                if updated:
                    _coupon_hold_release(payment_pk=open_order.pk)
            payment = Payment.objects.create(
                id=pk,
                user=user,
                course=course,
                amount=amount,
                currency=CURRENCY,
                receipt=receipt,
                razorpay_order_id=order["id"],
                list_price=quote.list_price,
                discount=quote.discount,
                taxable_value=quote.split.taxable_value,
                cgst=quote.split.cgst,
                sgst=quote.split.sgst,
                igst=quote.split.igst,
            )
            if quote.coupon is not None:
                CouponRedemption.objects.create(
                    coupon=quote.coupon, user=user, course=course, payment=payment, discount=quote.discount
                )
    except IntegrityError:
        # A concurrent click opened an order first; hand that one out (ours is never shown, so never paid).
        existing = Payment.objects.filter(user=user, course=course, status=Payment.Status.CREATED).first()
        if existing is None:
            raise
        return existing, False
    return payment, True


def _order_coupon_id(payment: Payment):
    redemption = getattr(payment, "coupon_redemption", None) if payment.pk else None
    return redemption.coupon_id if redemption is not None else None


# --- Coupons --------------------------------------------------------------------------------------


@transaction.atomic
def coupon_enroll_free(*, user, quote: selectors.Quote) -> Enrollment:
    """Enroll ``user`` in a course a coupon made free: one redeemed use, no Razorpay order."""
    coupon = Coupon.objects.select_for_update().get(pk=quote.coupon.pk)
    selectors.coupon_limits_check(coupon=coupon, user=user, course=quote.course)
    CouponRedemption.objects.create(
        coupon=coupon,
        user=user,
        course=quote.course,
        discount=quote.discount,
        status=CouponRedemption.Status.REDEEMED,
        redeemed_at=timezone.now(),
    )
    Coupon.objects.filter(pk=coupon.pk).update(times_redeemed=F("times_redeemed") + 1)
    # An order the learner opened earlier for this course is retired (a capture reported for it later is a
    # duplicate of owned access: refunded like any other).
    for open_pk in Payment.objects.filter(user=user, course=quote.course, status=Payment.Status.CREATED).values_list(
        "pk", flat=True
    ):
        payment_settle_failed(payment=Payment(pk=open_pk), reason="Superseded: enrolled free with a coupon.")
    enrollment, _ = enrollment_grant(user=user, course=quote.course, source=Enrollment.Source.COUPON)
    return enrollment


def _as_first(queryset: QuerySet) -> QuerySet:
    """``queryset`` ordered as ``first()`` orders it (its own ordering, else the primary key)."""
    return queryset if queryset.ordered else queryset.order_by("pk")


# The reads of a settlement, compiled once (common.precompiled); each is first()'s SQL (limit 1).
_COUPON_HELD = PrecompiledQuery(
    lambda payment_pk: _as_first(
        CouponRedemption.objects.filter(payment_id=payment_pk)
        .exclude(status=CouponRedemption.Status.REDEEMED)
        .values("pk", "coupon_id", "coupon__code")
    ),
    placeholder=uuid.UUID(int=0),
    field=CouponRedemption._meta.get_field("payment"),
)
_BILLING_DETAILS = PrecompiledQuery(
    lambda user_id: _as_first(BillingDetails.objects.filter(user_id=user_id)),
    placeholder=uuid.UUID(int=0),
    field=BillingDetails._meta.get_field("user"),
)
_COURSE_COMMISSION = PrecompiledQuery(
    lambda course_id: _as_first(CourseCommission.objects.filter(course_id=course_id)),
    placeholder=uuid.UUID(int=0),
    field=CourseCommission._meta.get_field("course"),
)


def _first_instance(query: PrecompiledQuery, value):
    found = query.instances(value, using=query.db_for_read(), limit=1)
    return found[0] if found else None


def _coupon_hold_redeem(*, payment: Payment) -> str:
    """The order was paid: its coupon use is final (even past the limit, for a late capture: money was taken).
    Returns the code ("" without one)."""
    found = _COUPON_HELD.rows(payment.pk, using=_COUPON_HELD.db_for_read(), limit=1)
    redemption = found[0] if found else None
    if redemption is None:
        return ""  # no code, or redeemed already: one query
    CouponRedemption.objects.filter(pk=redemption[0]).update(
        status=CouponRedemption.Status.REDEEMED, redeemed_at=timezone.now(), updated_at=timezone.now()
    )
    Coupon.objects.filter(pk=redemption[1]).update(times_redeemed=F("times_redeemed") + 1)
    return redemption[2]


def _coupon_hold_release(*, payment_pk) -> None:
    CouponRedemption.objects.filter(payment_id=payment_pk, status=CouponRedemption.Status.HELD).update(
        status=CouponRedemption.Status.RELEASED, updated_at=timezone.now()
    )


def _coupon_use_return(*, payment: Payment) -> None:
    """A refund gives the coupon use back only when ``COUPON_REFUND_RETURNS_USE`` is on."""
    if not settings.COUPON_REFUND_RETURNS_USE:
        return
    redemption = CouponRedemption.objects.filter(payment=payment, status=CouponRedemption.Status.REDEEMED)
    coupon_ids = list(redemption.values_list("coupon_id", flat=True))
    if redemption.update(status=CouponRedemption.Status.RELEASED, updated_at=timezone.now()):
        Coupon.objects.filter(pk__in=coupon_ids, times_redeemed__gt=0).update(times_redeemed=F("times_redeemed") - 1)


COUPON_FIELDS = Coupon.EDITABLE_FIELDS


def _coupon_courses_owned_check(*, actor, courses, domain) -> None:
    """Instructors make codes for their own courses only: listed, all theirs, no domain."""
    if actor.is_admin:
        return
    if domain is not None or not courses:
        message = "List the courses the code is for (your own courses only)."
        raise ApplicationError(message, code=BillingErrorCode.COUPON_COURSE_NOT_OWNED, errors={"courses": [message]})
    if any(course.instructor_id != actor.pk for course in courses):
        message = "You can create codes for your own courses only."
        raise ApplicationError(message, code=BillingErrorCode.COUPON_COURSE_NOT_OWNED, errors={"courses": [message]})


def _coupon_code_taken(code: str) -> ApplicationError:
    message = f"The code {code} is already taken."
    return ApplicationError(message, code=BillingErrorCode.COUPON_CODE_TAKEN, errors={"code": [message]})


def _coupon_rules_check(*, data: dict[str, Any], instance: Coupon | None = None) -> None:
    """Rules across fields (the serializer checked each field's shape)."""

    def current(name: str):
        return data[name] if name in data else getattr(instance, name, None)

    if current("discount_type") == Coupon.DiscountType.PERCENT and current("value") > 100:
        raise ApplicationError("A percentage is at most 100.", errors={"value": ["A percentage is at most 100."]})
    starts_at, ends_at = current("starts_at") or timezone.now(), current("ends_at")
    if ends_at is not None and ends_at <= starts_at:
        raise ApplicationError("The code must end after it starts.", errors={"ends_at": ["Must be after starts_at."]})


def coupon_create(*, actor, data: dict[str, Any]) -> Coupon:
    """A new code by an admin (any scope) or an instructor (own courses, at most ``INSTRUCTOR_COUPON_CAP``)."""
    courses = list(data.get("courses") or [])
    _coupon_courses_owned_check(actor=actor, courses=courses, domain=data.get("domain"))
    _coupon_rules_check(data=data)
    try:
        with transaction.atomic():
            if not actor.is_admin:
                # The instructor's row lock makes concurrent creations count the cap one at a time.
                User.objects.select_for_update().get(pk=actor.pk)
                if Coupon.objects.filter(created_by=actor).count() >= settings.INSTRUCTOR_COUPON_CAP:
                    raise ConflictError(
                        f"You can create at most {settings.INSTRUCTOR_COUPON_CAP} codes.",
                        code=BillingErrorCode.COUPON_CAP_REACHED,
                    )
            fields = {name: data[name] for name in COUPON_FIELDS if name in data}
            fields["code"] = fields["code"].strip().upper()
            coupon = Coupon.objects.create(created_by=actor, **fields)
            coupon.courses.set(courses)
            audit_record(actor=actor, action="coupon.create", target=coupon, details={"code": coupon.code})
    except IntegrityError:
        raise _coupon_code_taken(data["code"].strip().upper()) from None
    return coupon


def coupon_update(*, actor, coupon: Coupon, data: dict[str, Any]) -> Coupon:
    """Change a code (admin). Uses already counted stay counted."""
    if "code" in data:
        data = {**data, "code": data["code"].strip().upper()}
    try:
        with transaction.atomic():
            coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
            _coupon_rules_check(data=data, instance=coupon)
            coupon, changed = model_update(instance=coupon, fields=COUPON_FIELDS, data=data)
            if "courses" in data:
                coupon.courses.set(data["courses"])
                changed = True
            if changed:
                audit_record(
                    actor=actor,
                    action="coupon.update",
                    target=coupon,
                    details={"fields": sorted(name for name in data if name in (*COUPON_FIELDS, "courses"))},
                )
    except IntegrityError:
        raise _coupon_code_taken(data["code"]) from None
    return coupon


@transaction.atomic
def coupon_delete(*, actor, coupon: Coupon) -> None:
    """Delete a code nobody has used; a used one is deactivated instead (its history stays)."""
    coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
    if CouponRedemption.objects.filter(coupon=coupon).exists():
        raise ConflictError(
            "This code has been used: deactivate it instead (active: false).", code=BillingErrorCode.COUPON_IN_USE
        )
    audit_record(actor=actor, action="coupon.delete", target=coupon, details={"code": coupon.code})
    coupon.delete()


# --- Billing details ------------------------------------------------------------------------------


@transaction.atomic
def billing_details_set(*, user, name: str, state: str, gstin: str) -> BillingDetails:
    """Store the name, state and (optional) GSTIN the learner's invoices carry."""
    details, _ = BillingDetails.objects.select_for_update().get_or_create(user=user)
    details, _ = model_update(
        instance=details, fields=("name", "state", "gstin"), data={"name": name, "state": state, "gstin": gstin}
    )
    return details


# --- Tax invoices and credit notes ---------------------------------------------------------------

INVOICE_SERIES = "DCA"
CREDIT_NOTE_SERIES = "DCA-CN"


def _tax_document_number_allocate(*, series: str, financial_year: str) -> str:
    """Next number of ``series`` in ``financial_year``. Must run inside the transaction that stores the document.

    One upsert increments the counter row and locks it until that transaction ends, so numbers are handed out
    one at a time, and a rolled-back settlement rolls its increment back too: no gaps, no duplicates (as
    certificate numbers). The first number of a year inserts the row; a racing first waits on the conflict.
    """
    table = TaxDocumentCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (series, financial_year, last_number) VALUES (%s, %s, 1) "  # noqa: S608 - our table
            f"ON CONFLICT (series, financial_year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [series, financial_year],
        )
        (number,) = cursor.fetchone()
    return f"{series}/{financial_year}/{number:06d}"


def _invoice_split(*, payment: Payment, buyer_state: str) -> GstSplit:
    """The order's quoted split when it still holds (same total, same kind of tax), else the amount split again."""
    intra_state = buyer_state == settings.SELLER_STATE
    quoted = GstSplit(taxable_value=payment.taxable_value, cgst=payment.cgst, sgst=payment.sgst, igst=payment.igst)
    if quoted.total == payment.amount and quoted.tax and (quoted.igst == 0) == intra_state:
        return quoted
    return gst_split(amount=payment.amount, rate=settings.GST_RATE, intra_state=intra_state, inclusive=True)


def tax_invoice_issue(*, payment: Payment, render: bool = True) -> TaxDocument:
    """The tax invoice of a paid payment, numbered now. Runs inside the settling transaction, once per payment:
    the payment's row lock is held and the paid transition happens once (the unique (payment, kind) agrees).

    Its PDF is rendered after COMMIT by ``tax_document_render``; ``render=False`` when the caller queues other work
    that renders it first (the receipt, which attaches it), so a settlement publishes one task, not two.
    """
    details = _first_instance(_BILLING_DETAILS, payment.user_id) or BillingDetails(user=payment.user)
    buyer_state = details.state or settings.SELLER_STATE
    split = _invoice_split(payment=payment, buyer_state=buyer_state)
    issued_at = timezone.now()
    fy = financial_year(local_date(issued_at))
    document = TaxDocument.objects.create(
        kind=TaxDocument.Kind.INVOICE,
        payment=payment,
        number=_tax_document_number_allocate(series=INVOICE_SERIES, financial_year=fy),
        financial_year=fy,
        issued_at=issued_at,
        seller_name=settings.SELLER_LEGAL_NAME,
        seller_address=settings.SELLER_ADDRESS,
        seller_gstin=settings.SELLER_GSTIN,
        seller_state=settings.SELLER_STATE,
        buyer_name=details.name or payment.user.full_name or payment.user.email,
        buyer_email=payment.user.email,
        buyer_state=buyer_state,
        buyer_gstin=details.gstin,
        sac_code=settings.GST_SAC_CODE,
        description=f"Online course: {payment.course.title}"[:300],
        gst_rate=settings.GST_RATE,
        list_price=payment.list_price or payment.amount,
        discount=payment.discount,
        taxable_value=split.taxable_value,
        cgst=split.cgst,
        sgst=split.sgst,
        igst=split.igst,
        total=split.total,
    )
    if render:
        enqueue_on_commit(tax_document_render, str(document.pk))
    return document


def credit_note_issue(*, payment: Payment) -> TaxDocument | None:
    """The credit note cancelling the payment's invoice after a full refund (None without an invoice).
    Runs inside the refund's transaction, once per payment."""
    invoice = TaxDocument.objects.filter(payment=payment, kind=TaxDocument.Kind.INVOICE).first()
    if invoice is None:
        return None
    existing = TaxDocument.objects.filter(payment=payment, kind=TaxDocument.Kind.CREDIT_NOTE).first()
    if existing is not None:
        return existing
    issued_at = timezone.now()
    fy = financial_year(local_date(issued_at))
    copied = {
        field: getattr(invoice, field)
        for field in (
            "seller_name", "seller_address", "seller_gstin", "seller_state", "buyer_name", "buyer_email",
            "buyer_state", "buyer_gstin", "sac_code", "description", "gst_rate", "list_price", "discount",
            "taxable_value", "cgst", "sgst", "igst", "total",
        )
    }  # fmt: skip
    document = TaxDocument.objects.create(
        kind=TaxDocument.Kind.CREDIT_NOTE,
        payment=payment,
        invoice=invoice,
        number=_tax_document_number_allocate(series=CREDIT_NOTE_SERIES, financial_year=fy),
        financial_year=fy,
        issued_at=issued_at,
        **copied,
    )
    enqueue_on_commit(tax_document_render, str(document.pk))
    return document


def _percent_of(amount: int, percent) -> int:
    return int((Decimal(amount) * Decimal(percent) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def earning_record_sale(*, payment: Payment, invoice: TaxDocument, coupon_code: str = "") -> EarningEntry:
    """The instructor's earning from a settled sale: the invoice's taxable value less the commission."""
    commission = _first_instance(_COURSE_COMMISSION, payment.course_id)
    percent = commission.percent if commission is not None else settings.PLATFORM_COMMISSION_PERCENT
    platform = _percent_of(invoice.taxable_value, percent)
    return EarningEntry.objects.create(
        instructor_id=payment.course.instructor_id,
        course_id=payment.course_id,
        payment=payment,
        kind=EarningEntry.Kind.SALE,
        gross=invoice.total,
        tax=invoice.total - invoice.taxable_value,
        commission=platform,
        net=invoice.taxable_value - platform,
        commission_percent=percent,
        coupon_code=coupon_code,
    )


def earning_record_refund(*, payment: Payment) -> EarningEntry | None:
    """Take a refunded sale's earning back, dated now (carried into the current period). Once per payment."""
    sale = EarningEntry.objects.filter(payment=payment, kind=EarningEntry.Kind.SALE).first()
    if sale is None or EarningEntry.objects.filter(payment=payment, kind=EarningEntry.Kind.REFUND).exists():
        return None
    return EarningEntry.objects.create(
        instructor_id=sale.instructor_id,
        course_id=sale.course_id,
        payment=payment,
        kind=EarningEntry.Kind.REFUND,
        gross=-sale.gross,
        tax=-sale.tax,
        commission=-sale.commission,
        net=-sale.net,
        commission_percent=sale.commission_percent,
        coupon_code=sale.coupon_code,
    )


def tax_document_file_render(*, document: TaxDocument) -> TaxDocument:
    """Render the PDF and store it, replacing any previous file (the numbers and amounts never change)."""
    document = TaxDocument.objects.select_related("payment", "invoice").get(pk=document.pk)
    pdf = tax_document_pdf_render(document=document)
    rendered_pdf_store(instance=document, filename=f"{document.number.replace('/', '-')}.pdf", pdf=pdf)
    return document


# --- Settlement (shared by verify, webhooks and reconciliation) -------------------------------------


# The payment locked with its learner and course (``select_for_update().select_related("user", "course")``: the
# three rows), compiled once (common.precompiled) and rebuilt into the instances select_related builds
# (common.rows): by primary key as get() reads it, and by order id as first() reads it.
PAYMENT_LOCK_RELATED = ("user", "course")
_PAYMENT_LOCKED = PrecompiledQuery(
    lambda payment_pk: (
        Payment.objects.select_for_update()
        .filter(pk=payment_pk)
        .order_by()
        .values(*select_related_values(Payment, PAYMENT_LOCK_RELATED))
    ),
    placeholder=uuid.UUID(int=0),
    field=Payment._meta.pk,
)
_PAYMENT_BY_ORDER_LOCKED = PrecompiledQuery(
    lambda order_id: (
        Payment.objects.select_for_update()
        .filter(razorpay_order_id=order_id)
        .values(*select_related_values(Payment, PAYMENT_LOCK_RELATED))
    ),
    placeholder="order_placeholder",
    field=Payment._meta.get_field("razorpay_order_id"),
)


def _lock(payment_pk) -> Payment:
    """``Payment.objects.select_for_update().select_related("user", "course").get(pk=payment_pk)``."""
    using = router.db_for_write(Payment)
    found = get_one(_PAYMENT_LOCKED.dicts(payment_pk, using=using, limit=MAX_GET_RESULTS), Payment)
    return instance_with_related(found, Payment, PAYMENT_LOCK_RELATED, using)


def _lock_by_order(order_id: str) -> Payment | None:
    """``Payment.objects.select_for_update().select_related("user", "course")`` by order id, ``first()``."""
    using = router.db_for_write(Payment)
    rows = _PAYMENT_BY_ORDER_LOCKED.dicts(order_id, using=using, limit=1)
    return instance_with_related(rows[0], Payment, PAYMENT_LOCK_RELATED, using) if rows else None


def _owned_otherwise(payment_pk, user_id, course_id, other_payment_pk, coupon_user_id, coupon_course_id) -> QuerySet:
    """Whether the payment's learner owns its course otherwise: another owned payment, or an active coupon
    enrollment (a learner a coupon enrolled for free owns the course without a payment). Both in one statement;
    each value appears once, so the payment's learner, course and key are passed twice."""
    owned_otherwise = Payment.objects.filter(user_id=user_id, course_id=course_id, status__in=Payment.OWNED).exclude(
        pk=other_payment_pk
    )
    coupon_enrolled = Enrollment.objects.filter(
        user_id=coupon_user_id,
        course_id=coupon_course_id,
        status=Enrollment.Status.ACTIVE,
        source=Enrollment.Source.COUPON,
    )
    return Payment.objects.filter(Q(Exists(owned_otherwise)) | Q(Exists(coupon_enrolled)), pk=payment_pk).values("pk")


_OWNED_OTHERWISE = PrecompiledQuery(
    _owned_otherwise,
    placeholder=uuid.UUID(int=0),
    field=Payment._meta.pk,
    also=(
        (uuid.UUID(int=1), Payment._meta.get_field("user")),
        (uuid.UUID(int=2), Payment._meta.get_field("course")),
        (uuid.UUID(int=3), Payment._meta.pk),
        (uuid.UUID(int=4), Enrollment._meta.get_field("user")),
        (uuid.UUID(int=5), Enrollment._meta.get_field("course")),
    ),
)


def _is_owned_otherwise(payment: Payment) -> bool:
    values = (payment.pk, payment.user_id, payment.course_id)
    return bool(_OWNED_OTHERWISE.rows(*values, *values, using=_OWNED_OTHERWISE.db_for_read(), limit=1))


def _entity_matches(payment: Payment, entity: dict[str, Any]) -> bool:
    return (
        entity.get("order_id") == payment.razorpay_order_id
        and entity.get("amount") == payment.amount
        and str(entity.get("currency", "")).upper() == payment.currency
    )


@transaction.atomic
def payment_settle_captured(*, payment: Payment, razorpay_payment: dict[str, Any], signature: str = "") -> bool:
    """Mark paid and enroll, from a captured Razorpay payment entity. Returns True if this call changed it."""
    return _settle_captured_locked(payment=_lock(payment.pk), razorpay_payment=razorpay_payment, signature=signature)


def _settle_captured_locked(*, payment: Payment, razorpay_payment: dict[str, Any], signature: str = "") -> bool:
    """``payment_settle_captured`` on a payment the caller has locked (``_lock``) in its open transaction.

    A mismatch raises before anything is written, so a caller that catches it needs no savepoint.
    """
    if not _entity_matches(payment, razorpay_payment) or razorpay_payment.get("status") != "captured":
        raise ApplicationError(
            "The payment does not match this order (amount, currency or order).", code=BillingErrorCode.PAYMENT_MISMATCH
        )
    if payment.status == Payment.Status.REFUND_PENDING or not payment.can_become(Payment.Status.PAID):
        # Already paid, refunded or being refunded: the second of verify/webhook (or a capture replayed
        # while a refund is in flight) is a no-op. Only Razorpay's refund.failed brings a refund back to paid.
        return False
    payment_id = razorpay_payment["id"]
    if _is_owned_otherwise(payment):
        if payment.payment_id == payment_id:
            return False
        # Paid twice for one course (an abandoned older order paid late): keep access single, give the money back.
        logger.error("Duplicate payment %s for order %s: refunding it", payment_id, payment.razorpay_order_id)
        payment.status = Payment.Status.FAILED
        payment.payment_id = payment_id
        payment.failure_reason = DUPLICATE_REASON
        payment.failed_at = timezone.now()
        payment.save(update_fields=["status", "payment_id", "failure_reason", "failed_at", "updated_at"])
        _coupon_hold_release(payment_pk=payment.pk)
        # A broker or gateway outage must not fail the webhook; reconciliation retries the refund.
        enqueue_on_commit(payment_duplicate_refund_task, str(payment.pk))
        return True
    # A failed (or expired) order captured late is still its first sale; paid_at says whether it was sold.
    first_sale = payment.paid_at is None
    payment.status = Payment.Status.PAID
    payment.payment_id = payment_id
    payment.signature = signature or payment.signature
    payment.failure_reason = ""
    payment.paid_at = timezone.now()
    payment.save(update_fields=["status", "payment_id", "signature", "failure_reason", "paid_at", "updated_at"])
    enrollment_grant(user=payment.user, course=payment.course, source=Enrollment.Source.PAYMENT)
    if first_sale:
        coupon_code = _coupon_hold_redeem(payment=payment)
        # The receipt renders the invoice's PDF (it attaches it): one task after COMMIT, not two.
        invoice = tax_invoice_issue(payment=payment, render=False)
        earning_record_sale(payment=payment, invoice=invoice, coupon_code=coupon_code)
    # Lost with the broker? payment_receipts_pending sends it later (receipt_sent_at stays empty), and
    # tax_documents_render_pending renders an invoice whose PDF is still missing.
    enqueue_on_commit(payment_receipt_send, str(payment.pk))
    return True


@transaction.atomic
def payment_settle_failed(*, payment: Payment, reason: str) -> bool:
    return _settle_failed_locked(payment=_lock(payment.pk), reason=reason)


def _settle_failed_locked(*, payment: Payment, reason: str) -> bool:
    if payment.status != Payment.Status.CREATED:
        return False  # a failure never undoes a payment, and a retried failure changes nothing
    payment.status = Payment.Status.FAILED
    payment.failure_reason = reason[:255]
    payment.failed_at = timezone.now()
    payment.save(update_fields=["status", "failure_reason", "failed_at", "updated_at"])
    _coupon_hold_release(payment_pk=payment.pk)
    return True


def _refunded(payment: Payment, refund: dict[str, Any]) -> None:
    payment.status = Payment.Status.REFUNDED
    payment.refund_id = refund["id"]
    payment.refunded_at = timezone.now()


@transaction.atomic
def payment_settle_refund(*, payment: Payment, refund: dict[str, Any]) -> bool:
    """Apply a Razorpay refund entity of a payment we recorded as captured.

    processed (full amount) → refunded, access revoked and ``payment_refunded`` sent (certificate and
    XP taken back); pending (a dashboard refund, ``refund.created``) → refund_pending, access kept until
    it is processed; failed → back to paid, and the next request is a new refund attempt.
    """
    payment = _lock(payment.pk)
    refund_status = refund.get("status")
    if refund_status == "processed":
        # Only the payment that gave access is refunded here (a duplicate capture stays failed).
        if refund.get("amount") != payment.amount or payment.status not in Payment.OWNED:
            return False  # partial refunds keep access; a repeated refund event changes nothing
        _refunded(payment, refund)
        payment.save(update_fields=["status", "refund_id", "refunded_at", "updated_at"])
        enrollment = Enrollment.objects.filter(
            user=payment.user, course=payment.course, source=Enrollment.Source.PAYMENT
        ).first()
        if enrollment is not None:
            enrollment_revoke(enrollment=enrollment, reason=REFUND_REASON)
        _coupon_use_return(payment=payment)
        credit_note_issue(payment=payment)
        earning_record_refund(payment=payment)
        payment_refunded.send(
            sender=Payment, user=payment.user, course=payment.course, payment=payment, reason=REFUND_REASON
        )
        return True
    if refund_status == "pending" and payment.status == Payment.Status.PAID and refund.get("amount") == payment.amount:
        payment.status = Payment.Status.REFUND_PENDING
        payment.refund_id = refund["id"]
        payment.refund_requested_at = timezone.now()
        payment.save(update_fields=["status", "refund_id", "refund_requested_at", "updated_at"])
        return True
    if refund_status == "failed" and payment.refund_id and refund.get("id") == payment.refund_id:
        # A stale failure of an earlier attempt (another refund id) changes nothing.
        if payment.status == Payment.Status.REFUND_PENDING:
            payment.status = Payment.Status.PAID
            payment.failure_reason = "Refund failed at Razorpay."
        elif payment.status == Payment.Status.FAILED:
            payment.refund_id = ""  # a duplicate's automatic refund failed: reconciliation asks again
        else:
            return False
        payment.refund_attempt += 1
        payment.save(update_fields=["status", "failure_reason", "refund_id", "refund_attempt", "updated_at"])
        return True
    return False


@transaction.atomic
def payment_settle_refunded_unseen(
    *, payment: Payment, razorpay_payment: dict[str, Any], refund: dict[str, Any]
) -> bool:
    """Razorpay refunded a capture we never recorded (its event is late or lost): paid-and-refunded at once.

    The learner never gets access, so a capture event delivered afterwards finds the payment refunded and
    changes nothing. ``razorpay_payment`` is the entity fetched from Razorpay, not a webhook's copy.
    """
    payment = _lock(payment.pk)
    if not _entity_matches(payment, razorpay_payment) or razorpay_payment.get("status") not in ("captured", "refunded"):
        raise ApplicationError(
            "The payment does not match this order (amount, currency or order).", code=BillingErrorCode.PAYMENT_MISMATCH
        )
    if refund.get("status") != "processed" or refund.get("amount") != payment.amount:
        return False
    if payment.payment_id == razorpay_payment["id"]:
        # The capture was recorded while we asked Razorpay: an ordinary refund of it now.
        return payment_settle_refund(payment=payment, refund=refund)
    if payment.payment_id or not payment.can_become(Payment.Status.REFUNDED):
        return False  # paid through another attempt, or refunded already
    payment.payment_id = razorpay_payment["id"]
    payment.paid_at = timezone.now()
    payment.failure_reason = ""
    _refunded(payment, refund)
    payment.save(
        update_fields=["status", "payment_id", "paid_at", "failure_reason", "refund_id", "refunded_at", "updated_at"]
    )
    _coupon_hold_release(payment_pk=payment.pk)
    return True


def refund_payment_entity(*, refund: dict[str, Any]) -> dict[str, Any] | None:
    """Razorpay's payment entity for a refund whose payment we have not recorded as captured, else None.

    Calls Razorpay, so it runs before the transaction that applies the refund (``refund_apply``).
    """
    payment_id = refund.get("payment_id")
    if not payment_id or Payment.objects.filter(payment_id=payment_id).exists():
        return None
    return gateway.payment_fetch(payment_id=payment_id)


def refund_apply(*, refund: dict[str, Any], razorpay_payment: dict[str, Any] | None) -> tuple[Payment | None, str]:
    """Apply one Razorpay refund entity (webhook or reconciliation). Returns (payment, outcome).

    ``razorpay_payment`` comes from ``refund_payment_entity``: None when the payment is known by its id.
    """
    outcome = WebhookEvent.Outcome
    payment_id = refund.get("payment_id")
    payment = Payment.objects.filter(payment_id=payment_id).first() if payment_id else None
    if payment is not None:
        return payment, outcome.APPLIED if payment_settle_refund(payment=payment, refund=refund) else outcome.NO_CHANGE
    if razorpay_payment is None or razorpay_payment.get("id") != payment_id:
        return None, outcome.PENDING  # recorded meanwhile by a racing capture? decided on the retry
    order_id = razorpay_payment.get("order_id")
    payment = Payment.objects.filter(razorpay_order_id=order_id).first() if order_id else None
    if payment is None:
        return None, outcome.IGNORED  # not one of ours (another product on the same account)
    if refund.get("status") != "processed":
        # A pending refund of a capture we have not recorded: applied once the capture is.
        return payment, outcome.PENDING
    try:
        changed = payment_settle_refunded_unseen(payment=payment, razorpay_payment=razorpay_payment, refund=refund)
    except ApplicationError:
        logger.error("Refund %s does not match payment %s", refund.get("id"), payment.pk)
        return payment, outcome.REJECTED
    return payment, outcome.APPLIED if changed else outcome.NO_CHANGE


# --- Checkout verification ------------------------------------------------------------------------


def payment_verify(*, user, razorpay_order_id: str, razorpay_payment_id: str, razorpay_signature: str) -> Payment:
    """Confirm Checkout's success callback with Razorpay, then mark paid and enroll (idempotent)."""
    payment = Payment.objects.filter(user=user, razorpay_order_id=razorpay_order_id).first()
    if payment is None:
        raise NotFoundError("No such order.")
    if not gateway.checkout_signature_valid(
        order_id=payment.razorpay_order_id, payment_id=razorpay_payment_id, signature=razorpay_signature
    ):
        raise ApplicationError(
            "The payment signature is invalid.",
            code=BillingErrorCode.INVALID_SIGNATURE,
            errors={"razorpay_signature": ["Signature does not match this order and payment."]},
        )
    if payment.status in Payment.OWNED and payment.payment_id == razorpay_payment_id:
        return payment  # a retried verify after the webhook (or itself) already settled it

    entity = gateway.payment_fetch(payment_id=razorpay_payment_id)
    if not _entity_matches(payment, entity):
        raise ApplicationError(
            "The payment does not match this order (amount, currency or order).", code=BillingErrorCode.PAYMENT_MISMATCH
        )
    if entity.get("status") == "authorized":
        try:
            entity = gateway.payment_capture(
                payment_id=razorpay_payment_id, amount=payment.amount, currency=payment.currency
            )
        except gateway.GatewayRejected:
            # Captured meanwhile (auto-capture, a racing verify): Razorpay's current view decides.
            entity = gateway.payment_fetch(payment_id=razorpay_payment_id)
    if entity.get("status") != "captured":
        raise ApplicationError(
            "Razorpay has not captured this payment.",
            code=BillingErrorCode.PAYMENT_NOT_CAPTURED,
            errors={"razorpay_payment_id": [f"Payment status is {entity.get('status')!r}."]},
        )
    payment_settle_captured(payment=payment, razorpay_payment=entity, signature=razorpay_signature)
    payment.refresh_from_db()
    return payment


# --- Webhooks -------------------------------------------------------------------------------------


def _entity(payload: dict[str, Any], name: str) -> dict[str, Any]:
    value = (payload.get("payload") or {}).get(name) or {}
    entity = value.get("entity") if isinstance(value, dict) else None
    return entity if isinstance(entity, dict) else {}


REFUND_EVENTS = ("refund.processed", "refund.created", "refund.failed")


def _event_prefetch(event_type: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """What Razorpay says, fetched before the event's transaction opens (raises GatewayUnavailable)."""
    if event_type in REFUND_EVENTS:
        return refund_payment_entity(refund=_event_refund(payload))
    return None


def _event_refund(payload: dict[str, Any]) -> dict[str, Any]:
    refund = dict(_entity(payload, "refund"))
    refund.setdefault("payment_id", _entity(payload, "payment").get("id"))
    return refund


def _apply_event(
    event_type: str, payload: dict[str, Any], fetched: dict[str, Any] | None
) -> tuple[Payment | None, str]:
    outcome = WebhookEvent.Outcome
    payment_entity = _entity(payload, "payment")
    if event_type in ("payment.captured", "order.paid", "payment.failed"):
        order_id = payment_entity.get("order_id") or _entity(payload, "order").get("id")
        # Found and locked in one statement (the event's transaction is open): settled below without a re-read.
        payment = _lock_by_order(order_id) if order_id else None
        if payment is None:
            return None, outcome.IGNORED  # not one of ours (another product on the same account)
        if event_type == "payment.failed":
            reason = payment_entity.get("error_description") or "The payment failed."
            changed = _settle_failed_locked(payment=payment, reason=reason)
            return payment, outcome.APPLIED if changed else outcome.NO_CHANGE
        try:
            changed = _settle_captured_locked(payment=payment, razorpay_payment=payment_entity)
        except ApplicationError:
            logger.error("Webhook %s does not match payment %s", event_type, payment.pk)
            return payment, outcome.REJECTED
        return payment, outcome.APPLIED if changed else outcome.NO_CHANGE
    if event_type in REFUND_EVENTS:
        return refund_apply(refund=_event_refund(payload), razorpay_payment=fetched)
    return None, outcome.IGNORED


# WebhookEvent.objects.select_for_update().get(pk=...), compiled once.
_WEBHOOK_EVENT_LOCKED = PrecompiledQuery(
    lambda event_pk: WebhookEvent.objects.select_for_update().filter(pk=event_pk).order_by(),
    placeholder=uuid.UUID(int=0),
    field=WebhookEvent._meta.pk,
)


def webhook_event_apply(*, event: WebhookEvent) -> str:
    """Apply a stored, still pending event. Returns its outcome ("duplicate" if another delivery did it)."""
    try:
        fetched = _event_prefetch(event.event_type, event.payload)
    except gateway.GatewayUnavailable:
        logger.warning("Webhook %s kept pending: gateway unavailable", event.event_id)
        return WebhookEvent.Outcome.PENDING
    with transaction.atomic():
        # The event's row lock makes a concurrent delivery of the same id wait, then see it applied.
        locked = get_one(
            _WEBHOOK_EVENT_LOCKED.instances(event.pk, using=router.db_for_write(WebhookEvent), limit=MAX_GET_RESULTS),
            WebhookEvent,
        )
        if locked.outcome != WebhookEvent.Outcome.PENDING:
            return "duplicate"
        return _event_apply_locked(locked, fetched)


def _event_apply_locked(event: WebhookEvent, fetched: dict[str, Any] | None) -> str:
    payment, result = _apply_event(event.event_type, event.payload, fetched)
    event.payment = payment
    event.outcome = result
    event.save(update_fields=["payment", "outcome"])
    return result


def webhook_event_process(*, event_id: str, payload: dict[str, Any]) -> str:
    """Apply one verified webhook delivery exactly once. Returns the outcome ("duplicate" for a replay).

    A delivery is stored and applied in one transaction: the event's row, inserted first, is the lock that makes
    a concurrent delivery of the same id wait (on its unique key) and then find it applied. An event that cannot
    be applied yet (Razorpay unreachable for a refund's details) or whose application fails is stored
    ``pending``, and a redelivery of it or ``webhook_events_retry`` applies it later.
    """
    event_type = str(payload.get("event", ""))[:64]

    def pending() -> WebhookEvent:
        return WebhookEvent(
            event_id=event_id, event_type=event_type, payload=payload, outcome=WebhookEvent.Outcome.PENDING
        )

    try:
        fetched = _event_prefetch(event_type, payload)
    except gateway.GatewayUnavailable:
        logger.warning("Webhook %s kept pending: gateway unavailable", event_id)
        return _event_keep_pending(pending())
    try:
        with transaction.atomic():
            event = pending()
            if not model_insert_if_absent(instance=event):
                # A redelivery: of one kept pending (applied now), or of one applied (waited for, if in flight).
                event = (
                    WebhookEvent.objects.select_for_update()
                    .filter(event_id=event_id, outcome=WebhookEvent.Outcome.PENDING)
                    .first()
                )
                if event is None:
                    return "duplicate"
            return _event_apply_locked(event, fetched)
    except Exception:
        # Rolled back with the failure: stored pending instead, for a redelivery or the retry, so never lost.
        _event_keep_pending(pending())
        raise


def _event_keep_pending(event: WebhookEvent) -> str:
    """Store ``event`` (pending) unless its id is stored; "pending", or "duplicate" if it was already applied."""
    if model_insert_if_absent(instance=event):
        return WebhookEvent.Outcome.PENDING
    kept = WebhookEvent.objects.filter(event_id=event.event_id, outcome=WebhookEvent.Outcome.PENDING).exists()
    return WebhookEvent.Outcome.PENDING if kept else "duplicate"


def webhook_events_retry() -> dict[str, int]:
    """Apply again every event left pending (run by reconciliation). Returns counts per outcome."""
    counts: dict[str, int] = {}
    for event in WebhookEvent.objects.filter(outcome=WebhookEvent.Outcome.PENDING).order_by("received_at"):
        result = webhook_event_apply(event=event)
        counts[result] = counts.get(result, 0) + 1
    return counts


# --- Refunds --------------------------------------------------------------------------------------


def refund_idempotency_key(payment: Payment) -> str:
    return f"dca-refund-{payment.pk}-{payment.refund_attempt}"


def payment_refund(*, payment: Payment, actor, reason: str = "") -> Payment:
    """Ask Razorpay for a full refund and move the payment to refund_pending.

    Idempotent per refund attempt: two concurrent clicks send the same key and Razorpay makes one refund;
    after Razorpay reports a refund failed, ``refund_attempt`` moved on and a new request is a new refund.
    """
    if payment.status in (Payment.Status.REFUND_PENDING, Payment.Status.REFUNDED):
        raise ConflictError(
            "A refund was already requested for this payment.", code=BillingErrorCode.REFUND_ALREADY_REQUESTED
        )
    if payment.status != Payment.Status.PAID:
        raise ConflictError("Only a paid payment can be refunded.", code=BillingErrorCode.PAYMENT_NOT_REFUNDABLE)
    refund = gateway.refund_create(
        payment_id=payment.payment_id,
        amount=payment.amount,
        idempotency_key=refund_idempotency_key(payment),
        notes={"payment": str(payment.pk), "requested_by": str(actor.pk)},
    )
    with transaction.atomic():
        locked = _lock(payment.pk)
        if locked.status == Payment.Status.PAID:
            locked.status = Payment.Status.REFUND_PENDING
            locked.refund_id = refund["id"]
            locked.refund_requested_at = timezone.now()
            locked.save(update_fields=["status", "refund_id", "refund_requested_at", "updated_at"])
            audit_record(
                actor=actor,
                action="payment.refund",
                target=locked,
                details={"refund_id": refund["id"], "amount": locked.amount, "reason": reason},
            )
        elif locked.status != Payment.Status.REFUND_PENDING or locked.refund_id != refund["id"]:
            # A concurrent request won; Razorpay's idempotency kept it to one refund.
            raise ConflictError(
                "A refund was already requested for this payment.", code=BillingErrorCode.REFUND_ALREADY_REQUESTED
            )
    if refund.get("status") == "processed":
        payment_settle_refund(payment=locked, refund=refund)
    locked.refresh_from_db()
    return locked


def payment_duplicate_refund(*, payment: Payment) -> bool:
    """Refund a payment captured for a course the learner already owns (it stays failed, with a refund id)."""
    duplicate = payment.failure_reason.startswith(DUPLICATE_REASON) and payment.payment_id
    if payment.status != Payment.Status.FAILED or not duplicate or payment.refund_id:
        return False
    refund = gateway.refund_create(
        payment_id=payment.payment_id,
        amount=payment.amount,
        idempotency_key=refund_idempotency_key(payment),
        notes={"payment": str(payment.pk), "reason": "duplicate"},
    )
    with transaction.atomic():
        locked = _lock(payment.pk)
        if locked.refund_id:
            return False
        locked.refund_id = refund["id"]
        locked.refund_requested_at = timezone.now()
        locked.failure_reason = f"{DUPLICATE_REASON} Refunded automatically."
        locked.save(update_fields=["refund_id", "refund_requested_at", "failure_reason", "updated_at"])
    return True


# --- Reconciliation -------------------------------------------------------------------------------


def payment_reconcile(*, payment: Payment) -> str:
    """Ask Razorpay what happened to one unsettled payment and settle it as the webhook would."""
    if payment.status == Payment.Status.FAILED and payment.payment_id:
        return "duplicate_refunded" if payment_duplicate_refund(payment=payment) else "unchanged"
    if payment.status == Payment.Status.REFUND_PENDING:
        refund = gateway.refund_fetch(refund_id=payment.refund_id)
        return "refund_settled" if payment_settle_refund(payment=payment, refund=refund) else "unchanged"
    if payment.status not in (Payment.Status.CREATED, Payment.Status.FAILED):
        return "unchanged"
    # Created, or failed without a capture (a payment.failed for one attempt; a retry may have succeeded).
    attempts = gateway.order_payments(order_id=payment.razorpay_order_id)
    for entity in attempts:
        if entity.get("status") == "refunded" and _entity_matches(payment, entity):
            # Captured and refunded before we heard of either: the refunds decide, access never granted.
            for refund in gateway.payment_refunds(payment_id=entity["id"]):
                refund.setdefault("payment_id", entity["id"])
                with transaction.atomic():
                    _, result = refund_apply(refund=refund, razorpay_payment=entity)
                if result == WebhookEvent.Outcome.APPLIED:
                    return "refund_settled"
            # Money was taken and its refund is still on its way: never "expired", asked again next run.
            return "unchanged"
        if entity.get("status") == "authorized" and _entity_matches(payment, entity):
            try:
                entity = gateway.payment_capture(
                    payment_id=entity["id"], amount=payment.amount, currency=payment.currency
                )
            except gateway.GatewayRejected:
                entity = gateway.payment_fetch(payment_id=entity["id"])
        if entity.get("status") == "captured":
            try:
                payment_settle_captured(payment=payment, razorpay_payment=entity)
            except ApplicationError:
                logger.error("Reconciliation: payment %s does not match order %s", entity.get("id"), payment.pk)
                continue
            return "paid"
    expired_before = timezone.now() - timedelta(minutes=settings.BILLING_ORDER_REUSE_MINUTES)
    if payment.status == Payment.Status.CREATED and payment.created_at < expired_before:
        failures = [a.get("error_description") for a in attempts if a.get("status") == "failed"]
        reason = next((f for f in failures if f), "The order expired without a successful payment.")
        payment_settle_failed(payment=payment, reason=reason)
        return "failed"
    return "unchanged"


def refunds_reconcile(*, since: timedelta | None = None) -> int:
    """Apply every refund Razorpay made in the last ``since`` that we have not applied (a lost
    ``refund.processed``, a dashboard refund). Returns how many changed a payment."""
    if since is None:
        since = timedelta(hours=settings.BILLING_RECONCILE_REFUNDS_LOOKBACK_HOURS)
    changed = 0
    for refund in gateway.refunds_since(since=int((timezone.now() - since).timestamp())):
        if Payment.objects.filter(refund_id=refund.get("id"), status=Payment.Status.REFUNDED).exists():
            continue  # the common case: its webhook applied it
        try:
            fetched = refund_payment_entity(refund=refund)
        except gateway.GatewayUnavailable:
            logger.warning("Reconciliation of refund %s postponed: gateway unavailable", refund.get("id"))
            continue
        with transaction.atomic():
            _, result = refund_apply(refund=refund, razorpay_payment=fetched)
        changed += result == WebhookEvent.Outcome.APPLIED
    return changed


def payments_reconcile(*, older_than: timedelta | None = None) -> dict[str, int]:
    """Reconcile every order and refund left unsettled for longer than ``older_than``, retry the webhook
    events left pending, and apply the refunds Razorpay made that no event reported."""
    if older_than is None:
        older_than = timedelta(minutes=settings.BILLING_RECONCILE_AFTER_MINUTES)
    cutoff = timezone.now() - older_than
    # An order is handed out only within the reuse window, so a capture after a reported failure comes
    # soon after it; failed orders are asked about again for twice that window, then left alone.
    retry_failed_since = timezone.now() - 2 * timedelta(minutes=settings.BILLING_ORDER_REUSE_MINUTES)
    candidates = Payment.objects.filter(
        Q(status=Payment.Status.CREATED, created_at__lt=cutoff)
        | Q(status=Payment.Status.FAILED, payment_id="", failed_at__lt=cutoff, failed_at__gte=retry_failed_since)
        | Q(status=Payment.Status.REFUND_PENDING, refund_requested_at__lt=cutoff)
        # a duplicate capture whose automatic refund did not go through yet
        | (Q(status=Payment.Status.FAILED, refund_id="", failed_at__lt=cutoff) & ~Q(payment_id=""))
    ).order_by("created_at")
    counts = dict.fromkeys(["paid", "failed", "refund_settled", "duplicate_refunded", "unchanged", "errors"], 0)
    for payment in candidates.iterator():
        try:
            result = payment_reconcile(payment=payment)
        except gateway.GatewayUnavailable:
            # Left for the next run; the others still get settled.
            logger.warning("Reconciliation of payment %s postponed: gateway unavailable", payment.pk)
            counts["errors"] += 1
            continue
        counts[result] += 1
    try:
        counts["refunds_applied"] = refunds_reconcile()
    except gateway.GatewayUnavailable:
        logger.warning("Reconciliation of recent refunds postponed: gateway unavailable")
        counts["errors"] += 1
        counts["refunds_applied"] = 0
    # Last: the orders and refunds above may have recorded what a kept event was waiting for.
    counts["events_retried"] = sum(webhook_events_retry().values())
    return counts


# --- Payout statements ----------------------------------------------------------------------------

PAYOUT_SERIES = "DCA-PS"


def payout_month_closed_check(*, month: datetime.date) -> datetime.date:
    """The first day of ``month``, if that month has ended in ``TIME_ZONE``; else ``payout_month_not_closed``."""
    first = month_start(month)
    if first >= month_start(local_today()):
        raise ConflictError(
            f"{first:%Y-%m} has not ended yet: statements are written for closed months only.",
            code=BillingErrorCode.PAYOUT_MONTH_NOT_CLOSED,
        )
    return first


def payout_statement_issue(*, instructor_id, month: datetime.date) -> tuple[PayoutStatement | None, bool]:
    """The instructor's statement for the closed ``month``: ``(statement, created)``; ``(None, False)`` when
    there is nothing to state. Idempotent: an existing statement is returned unchanged.

    It takes every entry created before the month ended that no statement holds yet (a late entry of an
    earlier month, a refund of a sale paid out before), and carries in the previous statement's negative
    closing balance. The instructor's row lock serialises concurrent runs; the unique (instructor, month)
    and the unique line per entry make a double count impossible even without it.
    """
    first = payout_month_closed_check(month=month)
    with transaction.atomic():
        # FOR NO KEY UPDATE: conflicts with another statement run (and an XP award) for this instructor only.
        User.objects.select_for_update(no_key=True).filter(pk=instructor_id).values_list("pk").first()
        existing = PayoutStatement.objects.filter(instructor_id=instructor_id, month=first).first()
        if existing is not None:
            return existing, False
        entries = list(
            EarningEntry.objects.filter(
                instructor_id=instructor_id,
                created_at__lt=local_midnight(next_month_start(first)),
                statement_line__isnull=True,
            )
            .order_by("created_at", "pk")
            .values_list("pk", "gross", "tax", "commission", "net")
        )
        if not entries:
            return None, False
        previous = (
            PayoutStatement.objects.filter(instructor_id=instructor_id, month__lt=first).order_by("-month").first()
        )
        opening = min(0, previous.closing_balance) if previous is not None else 0
        gross, tax, commission, net = (sum(entry[i] for entry in entries) for i in range(1, 5))
        statement = PayoutStatement.objects.create(
            instructor_id=instructor_id,
            month=first,
            # Numbered per month without gaps, on the tax documents' counter (the month in place of the year).
            number=_tax_document_number_allocate(series=PAYOUT_SERIES, financial_year=f"{first:%Y-%m}"),
            opening_balance=opening,
            gross=gross,
            tax=tax,
            commission=commission,
            net=net,
            payable=max(0, opening + net),
            issued_at=timezone.now(),
        )
        PayoutStatementLine.objects.bulk_create(
            [PayoutStatementLine(statement=statement, entry_id=entry[0]) for entry in entries], batch_size=2000
        )
        enqueue_on_commit(payout_statement_render, str(statement.pk))
    return statement, True


def payout_statements_issue(*, month: datetime.date, instructor_id=None) -> dict[str, int]:
    """Statements for the closed ``month`` for every instructor with unstated entries (or one instructor).
    Returns ``{"issued": n, "unchanged": m}``; running it again issues nothing."""
    first = payout_month_closed_check(month=month)
    if instructor_id is not None:
        instructors = [instructor_id]
    else:
        unstated = EarningEntry.objects.filter(
            created_at__lt=local_midnight(next_month_start(first)), statement_line__isnull=True
        )
        stated = PayoutStatement.objects.filter(month=first).values_list("instructor_id", flat=True)
        instructors = sorted(set(unstated.values_list("instructor_id", flat=True).distinct()) | set(stated), key=str)
    counts = {"issued": 0, "unchanged": 0}
    for pk in instructors:
        statement, created = payout_statement_issue(instructor_id=pk, month=first)
        if statement is not None:
            counts["issued" if created else "unchanged"] += 1
    return counts


def payout_statement_mark_paid(*, statement: PayoutStatement, actor, reference: str) -> PayoutStatement:
    """Record that the statement's ``payable`` was paid out (bank transfer reference). Once; audited."""
    reference = reference.strip()
    if not reference:
        raise ApplicationError("A payment reference is required.", errors={"reference": ["This field is required."]})
    with transaction.atomic():
        statement = PayoutStatement.objects.select_for_update().get(pk=statement.pk)
        if statement.status == PayoutStatement.Status.PAID:
            raise ConflictError(
                f"{statement.number} was already marked paid ({statement.paid_reference}).",
                code=BillingErrorCode.PAYOUT_STATEMENT_ALREADY_PAID,
            )
        if statement.payable == 0:
            raise ConflictError(
                f"{statement.number} has nothing to pay: its balance is carried into the next statement.",
                code=BillingErrorCode.PAYOUT_STATEMENT_NOTHING_PAYABLE,
            )
        statement = model_update(
            instance=statement,
            fields=["status", "paid_at", "paid_reference", "paid_by"],
            data={
                "status": PayoutStatement.Status.PAID,
                "paid_at": timezone.now(),
                "paid_reference": reference[:100],
                "paid_by": actor,
            },
        )[0]
        audit_record(
            actor=actor,
            action="payout_statement.mark_paid",
            target=statement,
            details={"reference": statement.paid_reference, "payable": statement.payable},
        )
    return statement


def payout_statement_file_render(*, statement: PayoutStatement) -> PayoutStatement:
    """Render the statement's PDF and CSV and store them, replacing earlier files (the amounts never change)."""
    statement = PayoutStatement.objects.select_related("instructor").get(pk=statement.pk)
    lines = list(selectors.payout_statement_entries(statement=statement))
    name = statement.number.replace("/", "-")
    rendered_pdf_store(
        instance=statement,
        filename=f"{name}.csv",
        pdf=payout_statement_csv_render(statement=statement, lines=lines),
        field="csv_file",
    )
    rendered_pdf_store(
        instance=statement, filename=f"{name}.pdf", pdf=payout_statement_pdf_render(statement=statement, lines=lines)
    )
    return statement
