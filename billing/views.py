"""HTTP layer of billing: thin views over ``billing.services``."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import gateway, selectors, services
from billing.errors import BillingErrorCode
from billing.filters import AdminPaymentFilter, CouponFilter, PayoutStatementFilter
from billing.models import PayoutStatement, TaxDocument
from billing.representations import payment_representation
from billing.serializers import (
    AdminPaymentSerializer,
    BillingDetailsSerializer,
    CouponEnrollmentSerializer,
    CouponSerializer,
    DashboardCourseSerializer,
    OrderCreateInputSerializer,
    OrderSerializer,
    PaymentSerializer,
    PayoutStatementDetailSerializer,
    PayoutStatementSerializer,
    QuoteSerializer,
    RefundInputSerializer,
    VerifyInputSerializer,
    WebhookAckSerializer,
)
from common.exceptions import ApplicationError, ConflictError, ServiceUnavailableError
from common.files import CSVFileRenderer, PDFDownloadView
from common.permissions import IsAdmin, IsInstructorOrAdmin, IsStudent
from common.ratelimit import enforce_rate_limit
from common.serializers import ErrorSerializer
from common.timeutils import display_zone

GATEWAY_DOWN = OpenApiResponse(ErrorSerializer, description="`payment_gateway_unavailable`: Razorpay down or slow.")


class QuoteView(APIView):
    permission_classes = [IsStudent]

    @extend_schema(
        request=OrderCreateInputSerializer,
        responses={
            200: QuoteSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="Invalid course, `course_is_free`, or a code that does not apply (`errors.coupon` says "
                "why: `coupon_invalid`, `coupon_expired`, `coupon_not_applicable`, `coupon_used_up`, "
                "`coupon_already_used`, `amount_below_minimum`).",
            ),
        },
        summary="Price of a course for me: list price, discount, GST and amount payable (paise)",
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit(request, group="billing.quote", rate=settings.BILLING_QUOTE_RATE)
        serializer = OrderCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        course = serializer.validated_data["course"]
        if course.is_free:
            raise ApplicationError(
                "This course is free: enroll directly.",
                code=BillingErrorCode.COURSE_IS_FREE,
                errors={"course": ["This course is free; enroll directly instead of paying."]},
            )
        quote = selectors.price_quote(user=request.user, course=course, coupon_code=serializer.validated_data["coupon"])
        return Response(QuoteSerializer(quote).data)


ORDER_OR_ENROLLMENT = PolymorphicProxySerializer(
    component_name="OrderOrCouponEnrollment",
    serializers=[OrderSerializer, CouponEnrollmentSerializer],
    resource_type_field_name=None,
)


class OrderCreateView(APIView):
    permission_classes = [IsStudent]

    @extend_schema(
        request=OrderCreateInputSerializer,
        responses={
            201: OpenApiResponse(
                ORDER_OR_ENROLLMENT,
                description="A new Razorpay order; or, when the coupon makes the course free, the enrollment "
                "(`enrolled: true`, no Razorpay).",
            ),
            200: OpenApiResponse(OrderSerializer, description="The still-open order is reused (double click)."),
            400: OpenApiResponse(
                ErrorSerializer, description="Invalid course, `course_is_free`, or a code that does not apply."
            ),
            409: OpenApiResponse(ErrorSerializer, description="`already_enrolled` or `already_purchased`."),
            503: GATEWAY_DOWN,
        },
        summary="Open a Razorpay order for a paid course",
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit(request, group="billing.order", rate=settings.BILLING_ORDER_RATE)
        serializer = OrderCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        course, coupon = serializer.validated_data["course"], serializer.validated_data["coupon"]
        payment, created = services.payment_order_create(user=request.user, course=course, coupon_code=coupon)
        if payment is None:
            body = {
                "enrolled": True,
                "amount": 0,
                "currency": "INR",
                "course": course,
                "coupon": coupon.strip().upper(),
            }
            return Response(CouponEnrollmentSerializer(body).data, status=status.HTTP_201_CREATED)
        return Response(
            OrderSerializer(payment).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class VerifyView(APIView):
    permission_classes = [IsStudent]

    @extend_schema(
        request=VerifyInputSerializer,
        responses={
            200: PaymentSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="`invalid_signature`, `payment_mismatch` or `payment_not_captured`."
            ),
            503: GATEWAY_DOWN,
        },
        summary="Confirm Checkout's success callback: paid and enrolled",
    )
    def post(self, request: Request) -> Response:
        serializer = VerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.payment_verify(user=request.user, **serializer.validated_data)
        return Response(PaymentSerializer(payment).data)


@method_decorator(csrf_exempt, name="dispatch")
class WebhookView(APIView):
    """Razorpay's server calls this; it proves itself with the webhook signature, not a login."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request={"application/json": {"type": "object", "description": "A Razorpay webhook event."}},
        responses={200: WebhookAckSerializer, 400: ErrorSerializer},
        auth=[],
        summary="Razorpay webhook (signed with the webhook secret)",
    )
    def post(self, request: Request) -> Response:
        # The signature covers the exact bytes Razorpay sent: read them before anything parses the body.
        body = request.body
        if not gateway.webhook_signature_valid(body=body, signature=request.headers.get("X-Razorpay-Signature", "")):
            raise ApplicationError("Invalid webhook signature.", code=BillingErrorCode.INVALID_SIGNATURE)
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            payload = None
        if not isinstance(payload, dict):
            raise ApplicationError("The webhook body is not a JSON object.", code=BillingErrorCode.INVALID_WEBHOOK)
        # Razorpay always sends the id; a body hash keeps an id-less delivery idempotent too.
        event_id = request.headers.get("X-Razorpay-Event-Id") or f"sha256:{hashlib.sha256(body).hexdigest()}"
        result = services.webhook_event_process(event_id=event_id[:100], payload=payload)
        return Response({"status": result})


class HistoryView(generics.ListAPIView):
    permission_classes = [IsStudent]
    serializer_class = PaymentSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.payments_for_user(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # PaymentSerializer's bytes (serializer_class, the documented response) from flat rows, without its field
        # tree per row (a hot personal read; billing.representations).
        page = self.paginate_queryset(selectors.payment_rows_for_user(user=request.user))
        zone = display_zone()
        return self.get_paginated_response([payment_representation(row, zone=zone) for row in page])


class AdminPaymentListView(generics.ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = AdminPaymentSerializer
    filterset_class = AdminPaymentFilter
    search_fields = ["razorpay_order_id", "payment_id", "user__email"]
    ordering_fields = ["created_at", "amount", "paid_at"]
    queryset = selectors.payments_for_admin()


class AdminPaymentRefundView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        request=RefundInputSerializer,
        responses={
            200: AdminPaymentSerializer,
            409: OpenApiResponse(
                ErrorSerializer, description="`payment_not_refundable` or `refund_already_requested`."
            ),
            503: GATEWAY_DOWN,
        },
        summary="Refund a payment in full through Razorpay",
    )
    def post(self, request: Request, pk) -> Response:
        serializer = RefundInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = get_object_or_404(selectors.payments_for_admin(), pk=pk)
        payment = services.payment_refund(payment=payment, actor=request.user, **serializer.validated_data)
        return Response(AdminPaymentSerializer(payment).data)


class BillingDetailsView(APIView):
    permission_classes = [IsStudent]

    @extend_schema(responses={200: BillingDetailsSerializer}, summary="My billing details (name, state, GSTIN)")
    def get(self, request: Request) -> Response:
        return Response(BillingDetailsSerializer(selectors.billing_details_get(user=request.user)).data)

    @extend_schema(
        request=BillingDetailsSerializer,
        responses={200: BillingDetailsSerializer, 400: ErrorSerializer},
        summary="Set my billing details; quotes and invoices use them",
    )
    def put(self, request: Request) -> Response:
        enforce_rate_limit(request, group="billing.details", rate=settings.BILLING_COUPON_WRITE_RATE)
        serializer = BillingDetailsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        details = services.billing_details_set(user=request.user, **serializer.validated_data)
        return Response(BillingDetailsSerializer(details).data)


def coupon_create_response(request: Request) -> Response:
    """Create a coupon from the request (admin or instructor route; the service decides what each may do)."""
    enforce_rate_limit(request, group="billing.coupon", rate=settings.BILLING_COUPON_WRITE_RATE)
    serializer = CouponSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    coupon = services.coupon_create(actor=request.user, data=serializer.validated_data)
    return Response(CouponSerializer(coupon).data, status=status.HTTP_201_CREATED)


class AdminCouponListView(generics.ListCreateAPIView):
    permission_classes = [IsAdmin]
    serializer_class = CouponSerializer
    filterset_class = CouponFilter
    search_fields = ["code"]
    ordering_fields = ["created_at", "code", "times_redeemed"]
    queryset = selectors.coupons_for_admin()

    @extend_schema(responses={201: CouponSerializer, 400: ErrorSerializer}, summary="Create a coupon")
    def post(self, request: Request, *args, **kwargs) -> Response:
        return coupon_create_response(request)


class AdminCouponDetailView(generics.RetrieveUpdateDestroyAPIView):
    permission_classes = [IsAdmin]
    serializer_class = CouponSerializer
    queryset = selectors.coupons_for_admin()
    http_method_names = ["get", "patch", "delete"]

    @extend_schema(responses={200: CouponSerializer, 400: ErrorSerializer}, summary="Change a coupon")
    def patch(self, request: Request, *args, **kwargs) -> Response:
        enforce_rate_limit(request, group="billing.coupon", rate=settings.BILLING_COUPON_WRITE_RATE)
        coupon = self.get_object()
        serializer = CouponSerializer(coupon, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        coupon = services.coupon_update(actor=request.user, coupon=coupon, data=serializer.validated_data)
        return Response(CouponSerializer(selectors.coupons_for_admin().get(pk=coupon.pk)).data)

    @extend_schema(
        responses={204: None, 409: OpenApiResponse(ErrorSerializer, description="`coupon_in_use`: deactivate it.")},
        summary="Delete a coupon nobody has used",
    )
    def delete(self, request: Request, *args, **kwargs) -> Response:
        services.coupon_delete(actor=request.user, coupon=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstructorCouponListView(generics.ListCreateAPIView):
    permission_classes = [IsInstructorOrAdmin]
    serializer_class = CouponSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.coupons_for_instructor(user=self.request.user)

    @extend_schema(
        responses={
            201: CouponSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid, or `coupon_course_not_owned`."),
            409: OpenApiResponse(ErrorSerializer, description="`coupon_cap_reached` (`INSTRUCTOR_COUPON_CAP`)."),
        },
        summary="Create a coupon for my own courses",
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return coupon_create_response(request)


class TaxDocumentDownloadView(PDFDownloadView):
    """The PDF of a payment's tax invoice or credit note, for its buyer and admins."""

    permission_classes = [IsAuthenticated]
    kind = TaxDocument.Kind.INVOICE

    def get(self, request: Request, pk):
        document = selectors.tax_document_get_for_download(user=request.user, payment_id=pk, kind=self.kind)
        return self.pdf_response(
            file=document.file,
            filename=f"{document.number.replace('/', '-')}.pdf",
            not_ready=ConflictError(
                "The document is being prepared. Try again in a minute.", code=BillingErrorCode.TAX_DOCUMENT_NOT_READY
            ),
            unavailable=ServiceUnavailableError(
                "Documents are unavailable right now. Try again shortly.",
                code=BillingErrorCode.TAX_DOCUMENT_STORAGE_UNAVAILABLE,
            ),
        )


PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
    404: OpenApiResponse(ErrorSerializer, description="Not your payment, or no such document (yet)."),
    409: OpenApiResponse(ErrorSerializer, description="`tax_document_not_ready`: being rendered, retry shortly."),
    503: OpenApiResponse(ErrorSerializer, description="`tax_document_storage_unavailable`: retry."),
}


class InvoiceDownloadView(TaxDocumentDownloadView):
    kind = TaxDocument.Kind.INVOICE

    @extend_schema(
        operation_id="payments_invoice", summary="Tax invoice PDF of a payment (buyer, admin)", responses=PDF_RESPONSES
    )
    def get(self, request: Request, pk):
        return super().get(request, pk)


class CreditNoteDownloadView(TaxDocumentDownloadView):
    kind = TaxDocument.Kind.CREDIT_NOTE

    @extend_schema(
        operation_id="payments_credit_note",
        summary="Credit note PDF of a refunded payment (buyer, admin)",
        responses=PDF_RESPONSES,
    )
    def get(self, request: Request, pk):
        return super().get(request, pk)


class InstructorDashboardView(generics.ListAPIView):
    """Per course of mine: learners, activity, completion, quiz scores and money."""

    permission_classes = [IsInstructorOrAdmin]
    serializer_class = DashboardCourseSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.instructor_dashboard_courses(user=self.request.user)


class PayoutStatementListView(generics.ListAPIView):
    """Monthly payout statements: an instructor's own; every instructor's for admins (``?instructor=``)."""

    permission_classes = [IsInstructorOrAdmin]
    serializer_class = PayoutStatementSerializer
    filterset_class = PayoutStatementFilter
    queryset = PayoutStatement.objects.none()  # the schema's model for the filters; get_queryset() is per user

    def get_queryset(self):
        return selectors.payout_statements_visible(user=self.request.user)

    @extend_schema(summary="My payout statements (admins: every instructor's), newest month first")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class PayoutStatementDetailView(APIView):
    permission_classes = [IsInstructorOrAdmin]

    @extend_schema(
        responses={
            200: PayoutStatementDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="Not your statement, or no such statement."),
        },
        summary="One payout statement with its totals and ledger lines",
    )
    def get(self, request: Request, pk) -> Response:
        statement = selectors.payout_statement_get(user=request.user, pk=pk)
        statement.entries = selectors.payout_statement_entries(statement=statement)
        return Response(PayoutStatementDetailSerializer(statement).data)


class PayoutStatementFileView(PDFDownloadView):
    """A statement's stored PDF or CSV, for its instructor and admins (404 for anyone else)."""

    permission_classes = [IsInstructorOrAdmin]
    field = "file"
    extension = "pdf"
    content_type = "application/pdf"

    def get(self, request: Request, pk):
        statement = selectors.payout_statement_get(user=request.user, pk=pk)
        return self.pdf_response(
            file=getattr(statement, self.field),
            filename=f"{statement.number.replace('/', '-')}.{self.extension}",
            content_type=self.content_type,
            not_ready=ConflictError(
                "The statement is being prepared. Try again in a minute.",
                code=BillingErrorCode.PAYOUT_STATEMENT_NOT_READY,
            ),
            unavailable=ServiceUnavailableError(
                "Statements are unavailable right now. Try again shortly.",
                code=BillingErrorCode.PAYOUT_STATEMENT_STORAGE_UNAVAILABLE,
            ),
        )


def _statement_file_responses(media_type: str, what: str) -> dict:
    return {
        (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=f"The {what}."),
        404: OpenApiResponse(ErrorSerializer, description="Not your statement, or no such statement."),
        409: OpenApiResponse(
            ErrorSerializer, description="`payout_statement_not_ready`: being rendered, retry shortly."
        ),
        503: OpenApiResponse(ErrorSerializer, description="`payout_statement_storage_unavailable`: retry."),
    }


class PayoutStatementPDFView(PayoutStatementFileView):
    @extend_schema(
        operation_id="instructor_statements_pdf",
        summary="A payout statement as PDF (its instructor, admin)",
        responses=_statement_file_responses("application/pdf", "PDF"),
    )
    def get(self, request: Request, pk):
        return super().get(request, pk)


class PayoutStatementCSVView(PayoutStatementFileView):
    renderer_classes = [JSONRenderer, CSVFileRenderer]
    field = "csv_file"
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    @extend_schema(
        operation_id="instructor_statements_csv",
        summary="A payout statement's lines as CSV (its instructor, admin)",
        responses=_statement_file_responses(
            "text/csv", "CSV: date, course, payment, receipt, kind, gross, gst, commission, net, coupon (rupees)"
        ),
    )
    def get(self, request: Request, pk):
        return super().get(request, pk)
