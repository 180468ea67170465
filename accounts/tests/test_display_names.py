"""Display names: one set of rules (accounts/validators.py) on every path that sets ``full_name``."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from accounts.errors import AccountsErrorCode
from accounts.models import User
from accounts.services import user_onboarding_complete, user_profile_update
from accounts.tests.conftest import google_token_login
from accounts.validators import NAME_MAX_LENGTH, display_name_clean, display_name_sanitize
from catalog.models import Domain
from common.exceptions import ApplicationError

# One example of each class of character a name refuses, with the code it is refused with.
BAD_NAMES = [
    pytest.param("Asha\u202eamreV", AccountsErrorCode.NAME_FORMAT, id="right-to-left-override"),
    pytest.param("\u202aAsha\u202c", AccountsErrorCode.NAME_FORMAT, id="embedding-and-pop"),
    pytest.param("Asha \u2067Verma\u2069", AccountsErrorCode.NAME_FORMAT, id="isolate"),
    pytest.param("Asha\u200fVerma", AccountsErrorCode.NAME_FORMAT, id="right-to-left-mark"),
    pytest.param("Asha\u200eVerma", AccountsErrorCode.NAME_FORMAT, id="left-to-right-mark"),
    pytest.param("\u0623\u062d\u0645\u062f\u061c", AccountsErrorCode.NAME_FORMAT, id="arabic-letter-mark"),
    pytest.param("Asha\u200bVerma", AccountsErrorCode.NAME_FORMAT, id="zero-width-space"),
    pytest.param("\ufeffAsha", AccountsErrorCode.NAME_FORMAT, id="byte-order-mark"),
    pytest.param("As\u00adha", AccountsErrorCode.NAME_FORMAT, id="soft-hyphen"),
    pytest.param("Asha\x00", AccountsErrorCode.NAME_CONTROL, id="nul"),
    pytest.param("Asha\nVerma", AccountsErrorCode.NAME_CONTROL, id="newline"),
    pytest.param("Asha\x1bVerma", AccountsErrorCode.NAME_CONTROL, id="escape"),
    pytest.param("Asha\u2028Verma", AccountsErrorCode.NAME_CONTROL, id="line-separator"),
    pytest.param("Asha\ue000", AccountsErrorCode.NAME_UNASSIGNED, id="private-use"),
    pytest.param("Asha\U000f0001", AccountsErrorCode.NAME_UNASSIGNED, id="supplementary-private-use"),
    pytest.param("Asha\U000e0080", AccountsErrorCode.NAME_UNASSIGNED, id="unassigned"),
    pytest.param("Asha\ud800", AccountsErrorCode.NAME_UNASSIGNED, id="lone-surrogate"),
    pytest.param("\u200dAsha", AccountsErrorCode.NAME_EDGE_JOINER, id="joiner-at-the-start"),
    pytest.param("Asha\u200c", AccountsErrorCode.NAME_EDGE_JOINER, id="non-joiner-at-the-end"),
    pytest.param("Asha \u200dVerma", AccountsErrorCode.NAME_EDGE_JOINER, id="joiner-at-a-word-start"),
    pytest.param("\u0301Asha", AccountsErrorCode.NAME_LEADING_MARK, id="leading-combining-mark"),
    pytest.param(" \u00a0\u3000 ", AccountsErrorCode.NAME_BLANK, id="only-whitespace"),
    pytest.param("\u0301", AccountsErrorCode.NAME_LEADING_MARK, id="only-a-mark"),
    pytest.param("x" * (NAME_MAX_LENGTH + 1), AccountsErrorCode.NAME_TOO_LONG, id="too-long"),
]


@pytest.mark.parametrize(("name", "code"), BAD_NAMES)
def test_each_class_of_bad_name_is_refused_with_its_code(name, code):
    with pytest.raises(ValidationError) as caught:
        display_name_clean(name)

    assert code in {error.code for error in caught.value.error_list}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        pytest.param("  Asha    Verma  ", "Asha Verma", id="spaces-collapsed-and-trimmed"),
        pytest.param("Asha\u00a0\u2003Verma", "Asha Verma", id="unicode-spaces-become-one-space"),
        pytest.param("Jose\u0301", "Jos\u00e9", id="nfc"),
        pytest.param("क्षत्रिय प्रियंका", "क्षत्रिय प्रियंका", id="devanagari-conjuncts"),
        pytest.param("ஸ்ரீநிவாசன்", "ஸ்ரீநிவாசன்", id="tamil"),
        pytest.param("می\u200cخواهم", "می\u200cخواهم", id="non-joiner-inside-a-persian-word"),
        pytest.param("שרה כהן", "שרה כהן", id="hebrew"),
        pytest.param("محمد علي", "محمد علي", id="arabic"),
        pytest.param("x" * NAME_MAX_LENGTH, "x" * NAME_MAX_LENGTH, id="longest"),
        pytest.param("x" * NAME_MAX_LENGTH + "   ", "x" * NAME_MAX_LENGTH, id="longest-after-trimming"),
    ],
)
def test_good_names_are_normalized(typed, stored):
    assert display_name_clean(typed) == stored


@pytest.mark.parametrize(("name", "_code"), BAD_NAMES)
def test_sanitize_makes_every_bad_name_valid_or_empty(name, _code):
    sanitized = display_name_sanitize(name)

    assert sanitized == "" or display_name_clean(sanitized) == sanitized


def test_sanitize_keeps_the_letters_and_cuts_a_long_name_at_a_word():
    assert display_name_sanitize("\u202eAsha\u200b Verma\u200d\n") == "Asha Verma"
    long_name = " ".join(["Anantharamakrishnan"] * 8)  # 159 characters
    assert display_name_sanitize(long_name) == " ".join(["Anantharamakrishnan"] * 5)


# --- every path that sets a name --------------------------------------------------------------------


@pytest.mark.django_db
def test_patch_me_refuses_a_direction_override_with_a_field_error(client_for, student):
    # When a learner sends a name that would draw "Asha Verma" reversed
    response = client_for(student).patch("/api/auth/me/", {"full_name": "Asha \u202eamreV"}, format="json")

    # Then it is a 400 in the error shape naming the field and the character, and nothing is stored
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["errors"])) == ("invalid", ["full_name"])
    assert "U+202E" in body["errors"]["full_name"][0]
    student.refresh_from_db()
    assert student.full_name == "Asha Student"


@pytest.mark.django_db
def test_patch_me_stores_the_normalized_name(client_for, student):
    response = client_for(student).patch("/api/auth/me/", {"full_name": "  Jose\u0301\u00a0  Ñúñez "}, format="json")

    assert response.status_code == 200
    assert response.json()["full_name"] == "José Ñúñez"
    student.refresh_from_db()
    assert student.full_name == "Jos\u00e9 \u00d1\u00fa\u00f1ez"


@pytest.mark.django_db
def test_onboarding_refuses_a_name_over_the_limit(client_for, student):
    domain = Domain.objects.create(name="Data Science", slug="data-science")
    payload = {"full_name": "x" * (NAME_MAX_LENGTH + 1), "domain": str(domain.pk), "branch": "CS", "year": 2}

    response = client_for(student).post("/api/auth/onboarding/", payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["full_name"]
    student.refresh_from_db()
    assert student.onboarding_required


@pytest.mark.django_db
def test_services_apply_the_same_rules_to_callers_that_are_not_views(student):
    domain = Domain.objects.create(name="Data Science", slug="data-science")

    with pytest.raises(ApplicationError) as caught:
        user_profile_update(user=student, full_name="\u200dAsha")
    assert caught.value.code == AccountsErrorCode.NAME_EDGE_JOINER
    assert list(caught.value.errors) == ["full_name"]
    assert User.objects.get(pk=student.pk).full_name == "Asha Student"

    user = user_onboarding_complete(user=student, full_name=" Asha   Verma ", domain=domain, branch="CS", year=1)
    assert User.objects.get(pk=user.pk).full_name == "Asha Verma"


@pytest.mark.django_db
def test_admin_change_form_refuses_a_bad_name_and_normalizes_a_good_one(client, admin_user, student):
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{student.pk}/change/"
    # The read-only inlines (email addresses, Google sign-ins, sessions) post their management forms too.
    page = client.get(url).content.decode()
    hidden = re.findall(r'<input type="hidden" name="([\w-]+_FORMS)"[^>]*value="(\d*)"', page)
    inlines = dict(hidden)

    refused = client.post(url, {**inlines, "full_name": "Asha\u202e", "branch": "", "year": ""})
    assert refused.status_code == 200  # the form again, with the error
    assert "U+202E" in refused.content.decode()
    student.refresh_from_db()
    assert student.full_name == "Asha Student"

    saved = client.post(url, {**inlines, "full_name": "  Asha\u00a0 Verma ", "branch": "", "year": ""})
    assert saved.status_code == 302
    student.refresh_from_db()
    assert student.full_name == "Asha Verma"


@pytest.mark.django_db
def test_google_sign_in_sanitizes_the_name_instead_of_failing(app_client, fake_google, make_id_token):
    # Given a Google profile whose name carries a direction override, a zero-width space and a newline
    id_token = make_id_token(sub="g-900", email="noor@example.com", name="\u202eNoor\u200b Rahman\n")

    # When the person signs in with it
    response = google_token_login(app_client, id_token)

    # Then sign-in succeeds and the stored name is the visible letters only
    assert response.status_code == 200, response.content
    assert User.objects.get(email="noor@example.com").full_name == "Noor Rahman"


@pytest.mark.django_db
def test_google_sign_in_with_nothing_usable_leaves_the_name_for_onboarding(app_client, fake_google, make_id_token):
    response = google_token_login(app_client, make_id_token(sub="g-901", email="blank@example.com", name="\u200b"))

    assert response.status_code == 200, response.content
    user = User.objects.get(email="blank@example.com")
    assert (user.full_name, user.onboarding_required) == ("", True)
