"""Every admin write goes through the services: a walk over the staff site's registry.

Each registered model is listed in ``POLICY`` with what the admin may do to it. Where the admin may add,
change or delete, the ModelAdmin must route that write through its own code (save_model, delete_model,
delete_queryset, an inline formset's save_new/save_existing/delete_existing) - which is where the
app's services are called - unless the model is plain reference data with no rule of its own. The stock
"delete selected" action (QuerySet.delete()) is only offered where delete_queryset is the admin's own.
A new ModelAdmin fails here until someone decides, in this table, how it writes.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.forms.models import BaseInlineFormSet
from django.test import RequestFactory

from catalog.models import Course, Enrollment
from certificates.models import Certificate
from common.admin import ReadOnlyAdmin, ReadOnlyInline
from staff.admin_site import StaffAdminSite

pytestmark = pytest.mark.django_db

SERVICES = "writes through the services"
READ_ONLY = "read-only (actions may call services)"
REFERENCE = "reference data (stock saves are fine)"
ADD, CHANGE, DELETE = "add", "change", "delete"

POLICY: dict[str, tuple[str, set[str]]] = {
    # allauth's Google client configuration (an alternative to GOOGLE_CLIENT_ID / _SECRET)
    "socialaccount.SocialApp": (REFERENCE, {ADD, CHANGE, DELETE}),
    "accounts.User": (SERVICES, {CHANGE}),  # profile through user_profile_update; role/suspension: actions
    "mfa.Authenticator": (SERVICES, {DELETE}),  # user_mfa_reset (audited); enrolment is the user's own
    "catalog.Domain": (REFERENCE, {ADD, CHANGE, DELETE}),
    "catalog.Course": (SERVICES, {ADD, CHANGE, DELETE}),
    "catalog.Module": (SERVICES, {ADD, CHANGE, DELETE}),
    "catalog.Lesson": (SERVICES, {ADD, CHANGE, DELETE}),
    "catalog.Enrollment": (SERVICES, {ADD}),  # enrollment_grant; revoking is an action
    "catalog.LessonProgress": (READ_ONLY, set()),
    "catalog.ModuleQuizPass": (READ_ONLY, set()),
    "catalog.LessonPosition": (READ_ONLY, set()),
    "assessments.Quiz": (SERVICES, {ADD, CHANGE, DELETE}),
    "assessments.QuizAttempt": (READ_ONLY, set()),
    "billing.Payment": (READ_ONLY, set()),  # refunds: an action calling payment_refund
    "billing.WebhookEvent": (READ_ONLY, set()),
    "billing.Coupon": (SERVICES, {ADD, CHANGE, DELETE}),  # coupon_create / coupon_update / coupon_delete (audited)
    "billing.BillingDetails": (READ_ONLY, set()),  # the learner's own, through the API
    "billing.TaxDocument": (READ_ONLY, set()),  # issued by settlement and refunds; re-render: an action
    "billing.CourseCommission": (REFERENCE, {ADD, CHANGE, DELETE}),  # a percentage applied to later sales
    "billing.EarningEntry": (READ_ONLY, set()),  # append-only ledger
    "billing.PayoutStatement": (READ_ONLY, set()),  # written by payout_statements; mark paid: an action (audited)
    "certificates.Certificate": (READ_ONLY, set()),  # revoke / reinstate / re-render: actions
    "gamification.XPEvent": (READ_ONLY, set()),
    "gamification.XPTotal": (READ_ONLY, set()),
    "gamification.Badge": (REFERENCE, {ADD, CHANGE}),
    "gamification.UserBadge": (READ_ONLY, set()),
    "forum.Post": (READ_ONLY, set()),  # moderators delete softly: an action calling post_delete
    "forum.Reply": (READ_ONLY, set()),
    "forum.Vote": (READ_ONLY, set()),
    "forum.Flag": (READ_ONLY, set()),  # decided by actions calling flag_resolve
    "reviews.Review": (READ_ONLY, set()),  # removed by an action calling review_delete (recount, audit)
    "reviews.HelpfulVote": (READ_ONLY, set()),
    "catalog.WishlistItem": (READ_ONLY, set()),  # learners manage their own
    "audit.AuditLog": (READ_ONLY, set()),
    "notifications.Notification": (READ_ONLY, set()),
    "notifications.NotificationPreference": (READ_ONLY, set()),
    "notifications.Announcement": (SERVICES, {DELETE}),  # announcement_delete (an admin's removal is audited)
}

# The method that must be the admin's own for each permission it grants.
OWN_METHODS = {ADD: ["save_model"], CHANGE: ["save_model"], DELETE: ["delete_model", "delete_queryset"]}
INLINE_OWN_METHODS = {ADD: ["save_new"], CHANGE: ["save_existing"], DELETE: ["delete_existing"]}


def _granted(model_admin, request) -> set[str]:
    checks = {
        ADD: model_admin.has_add_permission(request),
        CHANGE: model_admin.has_change_permission(request),
        DELETE: model_admin.has_delete_permission(request),
    }
    return {name for name, allowed in checks.items() if allowed}


def _inline_granted(inline, request) -> set[str]:
    checks = {
        ADD: inline.has_add_permission(request, None),
        CHANGE: inline.has_change_permission(request, None),
        DELETE: inline.has_delete_permission(request, None) and inline.can_delete,
    }
    return {name for name, allowed in checks.items() if allowed}


def _own(obj_type: type, name: str, base: type) -> bool:
    return getattr(obj_type, name) is not getattr(base, name)


def policy_violations(site, request, policy) -> list[str]:
    problems = []
    for model, model_admin in site._registry.items():
        label = model._meta.label
        if label not in policy:
            problems.append(f"{label}: not in POLICY - decide how its admin writes")
            continue
        kind, allowed = policy[label]
        granted = _granted(model_admin, request)
        if granted != allowed:
            problems.append(f"{label}: grants {sorted(granted)}, policy says {sorted(allowed)}")
        if kind != REFERENCE:
            for permission in sorted(granted):
                for method in OWN_METHODS[permission]:
                    if not _own(type(model_admin), method, ModelAdmin):
                        problems.append(f"{label}: {permission} allowed but {method} is Django's (no service)")
        actions = model_admin.get_actions(request)
        if (
            "delete_selected" in actions
            and kind != REFERENCE
            and not _own(type(model_admin), "delete_queryset", ModelAdmin)
        ):
            problems.append(f"{label}: offers 'delete selected' around the services")
        for inline in model_admin.get_inline_instances(request):
            for permission in sorted(_inline_granted(inline, request)):
                for method in INLINE_OWN_METHODS[permission]:
                    if not _own(inline.formset, method, BaseInlineFormSet):
                        problems.append(
                            f"{label} inline {type(inline).__name__}: {permission} writes around the services"
                        )
    return problems


@pytest.fixture
def admin_request(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


def test_every_model_admin_writes_through_the_services_or_not_at_all(admin_request):
    assert policy_violations(admin.site, admin_request, POLICY) == []
    # and the table describes the site as it is, not models that left it
    assert set(POLICY) == {model._meta.label for model in admin.site._registry}


def test_the_walk_catches_a_model_admin_that_saves_around_the_services(admin_request):
    # given a site where someone registered enrollments with a stock ModelAdmin
    site = StaffAdminSite(name="policy-probe")
    site.register(Enrollment, ModelAdmin)
    # when the policy is checked, then every bypass is named
    assert policy_violations(site, admin_request, POLICY) == [
        "catalog.Enrollment: grants ['add', 'change', 'delete'], policy says ['add']",
        "catalog.Enrollment: add allowed but save_model is Django's (no service)",
        "catalog.Enrollment: change allowed but save_model is Django's (no service)",
        "catalog.Enrollment: delete allowed but delete_model is Django's (no service)",
        "catalog.Enrollment: delete allowed but delete_queryset is Django's (no service)",
    ]


def test_the_walk_catches_an_editable_inline_and_an_unlisted_model(admin_request):
    # given a read-only-looking admin whose inline still lets rows be added and edited with stock saves
    class ProgressInline(admin.TabularInline):
        model = Enrollment
        fk_name = "course"

    class CourseWithInline(ModelAdmin):
        inlines = [ProgressInline]

        def has_add_permission(self, request) -> bool:
            return False

        def has_change_permission(self, request, obj=None) -> bool:
            return False

        def has_delete_permission(self, request, obj=None) -> bool:
            return False

    site = StaffAdminSite(name="policy-probe")
    site.register(Course, CourseWithInline)
    site.register(Certificate, ModelAdmin)
    # when checked against a policy that says courses are read-only and does not know certificates
    problems = policy_violations(site, admin_request, {"catalog.Course": (READ_ONLY, set())})
    # then
    assert problems == [
        "catalog.Course inline ProgressInline: add writes around the services",
        "catalog.Course inline ProgressInline: change writes around the services",
        "catalog.Course inline ProgressInline: delete writes around the services",
        "certificates.Certificate: not in POLICY - decide how its admin writes",
    ]


def test_the_stock_bulk_delete_is_off_site_wide_unless_an_admin_deletes_through_services(admin_request):
    # given the models whose admin may delete through its own delete_queryset
    offering = sorted(
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if "delete_selected" in model_admin.get_actions(admin_request)
    )
    # then only those offer "delete selected": flags, payments, the ledger never do
    assert offering == [
        "assessments.Quiz",
        "catalog.Course",
        "catalog.Domain",
        "catalog.Lesson",
        "catalog.Module",
        "mfa.Authenticator",
    ]
    # (allauth's SocialApp admin lists no actions of its own, so it gets only the CSV export)


def test_read_only_models_and_inlines_share_the_one_read_only_base(admin_request):
    # given the models the policy calls read-only, and every inline on the site
    read_only = {label for label, (kind, _) in POLICY.items() if kind == READ_ONLY}
    admins = {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}
    inlines = [
        inline
        for model_admin in admins.values()
        for inline in model_admin.get_inline_instances(admin_request)
        if not _inline_granted(inline, admin_request)
    ]
    # then each is built on common.admin's base rather than a copy of the three refusals
    assert sorted(label for label in read_only if not isinstance(admins[label], ReadOnlyAdmin)) == []
    assert sorted(type(inline).__name__ for inline in inlines if not isinstance(inline, ReadOnlyInline)) == []
    assert inlines, "the site shows read-only inlines (payments' webhook events, attempts' answers...)"
