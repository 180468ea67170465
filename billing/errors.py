"""Error codes of the billing API, in one place (the frontend switches on these)."""

GATEWAY_UNAVAILABLE = "payment_gateway_unavailable"  # 503: Razorpay could not be reached; retry later
GATEWAY_REJECTED = "payment_gateway_rejected"  # 400: Razorpay refused the request (bad order or payment data)
PAYMENTS_NOT_CONFIGURED = "payments_not_configured"  # 503: the Razorpay keys are not set on this server
COURSE_NOT_PURCHASABLE = "course_not_purchasable"  # 404: no such published course to buy
COURSE_IS_FREE = "course_is_free"  # 400: the course is free; enroll instead of paying
ALREADY_PURCHASED = "already_purchased"  # 409: the learner already bought (or is enrolled in) the course
INVALID_SIGNATURE = "invalid_signature"  # 400: the checkout or webhook signature does not match
PAYMENT_MISMATCH = "payment_mismatch"  # 400: the Razorpay payment does not belong to this order, amount or currency
PAYMENT_NOT_CAPTURED = "payment_not_captured"  # 400: Razorpay has not captured the payment (yet)
PAYMENT_NOT_REFUNDABLE = "payment_not_refundable"  # 409: only a paid payment can be refunded
REFUND_ALREADY_REQUESTED = "refund_already_requested"  # 409: a refund of this payment is already under way or done
INVALID_WEBHOOK = "invalid_webhook"  # 400: the webhook body is not a Razorpay event
