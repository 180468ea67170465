"""Error codes of the billing API, in one place (the frontend switches on these)."""

from common.errors import ErrorCode


class BillingErrorCode(ErrorCode):
    GATEWAY_UNAVAILABLE = "payment_gateway_unavailable", "503: Razorpay could not be reached; retry later"
    GATEWAY_REJECTED = "payment_gateway_rejected", "400: Razorpay refused the request (bad order or payment data)"
    PAYMENTS_NOT_CONFIGURED = "payments_not_configured", "503: the Razorpay keys are not set on this server"
    COURSE_NOT_PURCHASABLE = "course_not_purchasable", "404: no such published course to buy"
    COURSE_IS_FREE = "course_is_free", "400: the course is free; enroll instead of paying"
    ALREADY_PURCHASED = "already_purchased", "409: the learner already bought (or is enrolled in) the course"
    INVALID_SIGNATURE = "invalid_signature", "400: the checkout or webhook signature does not match"
    PAYMENT_MISMATCH = "payment_mismatch", "400: the Razorpay payment does not belong to this order, amount or currency"
    PAYMENT_NOT_CAPTURED = "payment_not_captured", "400: Razorpay has not captured the payment (yet)"
    PAYMENT_NOT_REFUNDABLE = "payment_not_refundable", "409: only a paid payment can be refunded"
    REFUND_ALREADY_REQUESTED = "refund_already_requested", "409: a refund of this payment is already under way or done"
    INVALID_WEBHOOK = "invalid_webhook", "400: the webhook body is not a Razorpay event"
    AMOUNT_BELOW_MINIMUM = (
        "amount_below_minimum",
        "400 field error on `coupon`: the discounted amount is between ₹0 and ₹1",
    )
    COUPON_INVALID = "coupon_invalid", "400 field error on `coupon`: no such code, or it is inactive"
    COUPON_EXPIRED = "coupon_expired", "400 field error on `coupon`: outside the code's start and end time"
    COUPON_NOT_APPLICABLE = "coupon_not_applicable", "400 field error on `coupon`: not for this course, domain or price"
    COUPON_USED_UP = "coupon_used_up", "400 field error on `coupon`: its total redemptions are taken"
    COUPON_ALREADY_USED = "coupon_already_used", "400 field error on `coupon`: the learner used their share of it"
    COUPON_CAP_REACHED = "coupon_cap_reached", "409: the instructor has as many codes as INSTRUCTOR_COUPON_CAP allows"
    COUPON_IN_USE = "coupon_in_use", "409: a code with redemptions is deactivated, not deleted"
    COUPON_CODE_TAKEN = "coupon_code_taken", "400 field error on `code`: another coupon has this code"
    COUPON_COURSE_NOT_OWNED = "coupon_course_not_owned", "400 field error on `courses`: not the instructor's course"
    TAX_DOCUMENT_NOT_READY = "tax_document_not_ready", "409: the PDF is not rendered yet; retry shortly"
    TAX_DOCUMENT_STORAGE_UNAVAILABLE = "tax_document_storage_unavailable", "503: the PDF storage cannot be reached"
    PAYOUT_MONTH_NOT_CLOSED = "payout_month_not_closed", "409: statements are written only for months that have ended"
    PAYOUT_STATEMENT_ALREADY_PAID = "payout_statement_already_paid", "409: the statement is paid; it cannot change"
    PAYOUT_STATEMENT_NOTHING_PAYABLE = (
        "payout_statement_nothing_payable",
        "409: its balance is carried forward, not paid",
    )
    PAYOUT_STATEMENT_NOT_READY = "payout_statement_not_ready", "409: its PDF/CSV is not rendered yet; retry shortly"
    PAYOUT_STATEMENT_STORAGE_UNAVAILABLE = (
        "payout_statement_storage_unavailable",
        "503: the file storage cannot be reached",
    )
