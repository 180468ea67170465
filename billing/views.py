"""HTTP layer of billing: thin views over ``billing.services``."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import errors, gateway, selectors, services
from billing.filters import AdminPaymentFilter
from billing.serializers import (
    AdminPaymentSerializer,
    OrderCreateInputSerializer,
    OrderSerializer,
    PaymentSerializer,
    RefundInputSerializer,
    VerifyInputSerializer,
    WebhookAckSerializer,
)
from common.exceptions import ApplicationError
from common.permissions import IsAdmin, IsStudent
from common.ratelimit import enforce_rate_limit
from common.serializers import ErrorSerializer

GATEWAY_DOWN = OpenApiResponse(ErrorSerializer, description="`payment_gateway_unavailable`: Razorpay down or slow.")


class OrderCreateView(APIView):
    permission_classes = [IsStudent]

    @extend_schema(
        request=OrderCreateInputSerializer,
        responses={
            201: OrderSerializer,
            200: OpenApiResponse(OrderSerializer, description="The still-open order is reused (double click)."),
            400: OpenApiResponse(ErrorSerializer, description="Invalid course, or `course_is_free`."),
            409: OpenApiResponse(ErrorSerializer, description="`already_enrolled` or `already_purchased`."),
            503: GATEWAY_DOWN,
        },
        summary="Open a Razorpay order for a paid course",
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit(request, group="billing.order", rate=settings.BILLING_ORDER_RATE)
        serializer = OrderCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment, created = services.payment_order_create(user=request.user, course=serializer.validated_data["course"])
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
            raise ApplicationError("Invalid webhook signature.", code=errors.INVALID_SIGNATURE)
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            payload = None
        if not isinstance(payload, dict):
            raise ApplicationError("The webhook body is not a JSON object.", code=errors.INVALID_WEBHOOK)
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
