from django.urls import path

from billing import views

urlpatterns = [
    path("payments/order/", views.OrderCreateView.as_view(), name="payment-order"),
    path("payments/verify/", views.VerifyView.as_view(), name="payment-verify"),
    path("payments/webhook/", views.WebhookView.as_view(), name="payment-webhook"),
    path("payments/history/", views.HistoryView.as_view(), name="payment-history"),
    path("admin/payments/", views.AdminPaymentListView.as_view(), name="admin-payment-list"),
    path("admin/payments/<uuid:pk>/refund/", views.AdminPaymentRefundView.as_view(), name="admin-payment-refund"),
    path("payments/quote/", views.QuoteView.as_view(), name="payment-quote"),
    path("payments/billing-details/", views.BillingDetailsView.as_view(), name="payment-billing-details"),
    path("payments/<uuid:pk>/invoice/", views.InvoiceDownloadView.as_view(), name="payment-invoice"),
    path("payments/<uuid:pk>/credit-note/", views.CreditNoteDownloadView.as_view(), name="payment-credit-note"),
    path("admin/coupons/", views.AdminCouponListView.as_view(), name="admin-coupon-list"),
    path("admin/coupons/<uuid:pk>/", views.AdminCouponDetailView.as_view(), name="admin-coupon-detail"),
    path("instructor/dashboard/", views.InstructorDashboardView.as_view(), name="instructor-dashboard"),
    path("instructor/coupons/", views.InstructorCouponListView.as_view(), name="instructor-coupon-list"),
    path("instructor/statements/", views.PayoutStatementListView.as_view(), name="instructor-statement-list"),
    path(
        "instructor/statements/<uuid:pk>/",
        views.PayoutStatementDetailView.as_view(),
        name="instructor-statement-detail",
    ),
    path(
        "instructor/statements/<uuid:pk>/pdf/", views.PayoutStatementPDFView.as_view(), name="instructor-statement-pdf"
    ),
    path(
        "instructor/statements/<uuid:pk>/csv/", views.PayoutStatementCSVView.as_view(), name="instructor-statement-csv"
    ),
]
