from django.urls import path

from billing import views

urlpatterns = [
    path("payments/order/", views.OrderCreateView.as_view(), name="payment-order"),
    path("payments/verify/", views.VerifyView.as_view(), name="payment-verify"),
    path("payments/webhook/", views.WebhookView.as_view(), name="payment-webhook"),
    path("payments/history/", views.HistoryView.as_view(), name="payment-history"),
    path("admin/payments/", views.AdminPaymentListView.as_view(), name="admin-payment-list"),
    path("admin/payments/<uuid:pk>/refund/", views.AdminPaymentRefundView.as_view(), name="admin-payment-refund"),
]
