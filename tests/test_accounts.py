"""Accounts through allauth: sign-up with the learner's profile, e-mail verification,
log-in without revealing who has an account, rate limits, log-out by POST only,
password reset, the profile page, and the admin's log-in going through allauth."""
import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.usefixtures("clear_cache")

PASSWORD = "Lang-en-sterk-2026"


def signup(client, email="nina@bakkerij.nl", **extra):
    data = {
        "email": email,
        "name": "Nina Nieuw",
        "company_name": "Bakkerij Nieuw",
        "company_sector": "retail",
        "company_size": "small",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post(reverse("account_signup"), data)


def confirmation_path(message):
    return re.search(r"http://testserver(/account/confirm-email/\S+/)", message.body).group(1)


def test_signup_page_is_dutch_and_asks_for_the_company(client, db):
    html = client.get(reverse("account_signup")).content.decode()
    assert "<h1>Account aanmaken</h1>" in html
    for label in ["E-mailadres", "Naam", "Bedrijf", "Sector", "Grootte van het bedrijf", "Wachtwoord"]:
        assert label in html
    assert "Micro (minder dan 10 medewerkers)" in html
    assert 'name="username"' not in html


def test_signup_stores_the_profile_and_requires_verification(client, db):
    response = signup(client)
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="nina@bakkerij.nl")
    assert (user.name, user.company_name, user.company_sector, user.company_size) == (
        "Nina Nieuw",
        "Bakkerij Nieuw",
        "retail",
        "small",
    )
    assert "Bevestig je e-mailadres" in client.get(response["Location"]).content.decode()
    # Not logged in until the address is verified.
    assert client.get(reverse("dashboard")).status_code == 302
    [message] = mail.outbox
    assert message.subject.startswith("[Duurzaam samenwerken] ")
    client.post(confirmation_path(message))
    assert client.get(reverse("dashboard")).status_code == 200
    assert user.emailaddress_set.get().verified


def test_unverified_user_cannot_log_in_but_gets_a_new_link(client, user_factory):
    user_factory(email="onbevestigd@example.org", password=PASSWORD, verified=False)
    response = client.post(reverse("account_login"), {"login": "onbevestigd@example.org", "password": PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("dashboard")).status_code == 302
    assert len(mail.outbox) == 1


def test_login_and_logout(client, user_factory):
    user_factory(email="lotte@example.org", password=PASSWORD)
    page = client.get(reverse("account_login")).content.decode()
    assert "<h1>Inloggen</h1>" in page
    response = client.post(reverse("account_login"), {"login": "Lotte@Example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    # GET on log-out only asks; the POST logs out.
    assert client.get(reverse("account_logout")).status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("dashboard")).status_code == 302


def test_login_error_does_not_reveal_whether_the_address_exists(client, user_factory):
    user_factory(email="bestaat@example.org", password=PASSWORD)
    wrong_password = client.post(reverse("account_login"), {"login": "bestaat@example.org", "password": "fout-fout-fout"})
    unknown = client.post(reverse("account_login"), {"login": "bestaat-niet@example.org", "password": "fout-fout-fout"})
    assert wrong_password.status_code == unknown.status_code == 200
    assert wrong_password.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "niet correct" in str(unknown.context["form"].non_field_errors())


def test_signing_up_with_a_taken_address_does_not_reveal_it(client, user_factory):
    user_factory(email="bestaat@example.org")
    response = signup(client, email="bestaat@example.org")
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="bestaat@example.org").count() == 1
    [message] = mail.outbox  # the owner of the address is told, by e-mail
    assert message.to == ["bestaat@example.org"]


def test_repeated_failed_logins_are_rate_limited(client, user_factory):
    user_factory(email="doelwit@example.org", password=PASSWORD)
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "doelwit@example.org", "password": "geraden-123"})
    response = client.post(reverse("account_login"), {"login": "doelwit@example.org", "password": PASSWORD})
    assert response.status_code == 200  # even the right password is refused for now
    assert "Te veel" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_password_reset_answers_the_same_for_unknown_addresses(client, user_factory):
    user_factory(email="vergeten@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "vergeten@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [["vergeten@example.org"], ["niemand@example.org"]]
    link = re.search(r"http://testserver(/account/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # allauth moves the key into the session first
    response = client.post(form_url, {"password1": "Nieuw-wachtwoord-2026", "password2": "Nieuw-wachtwoord-2026"})
    assert response.status_code == 302
    assert client.login(email="vergeten@example.org", password="Nieuw-wachtwoord-2026")


def test_password_change_needs_log_in_and_the_old_password(client, user_factory):
    assert client.get(reverse("account_change_password")).status_code == 302
    user = user_factory(password=PASSWORD)
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "Ander-wachtwoord-2026", "password2": "Ander-wachtwoord-2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Ander-wachtwoord-2026")


def test_profile_page_edits_name_and_company(client, user_factory):
    user = user_factory(name="Oude Naam")
    assert client.get(reverse("accounts:profile")).status_code == 302
    client.force_login(user)
    page = client.get(reverse("accounts:profile"))
    assert page.status_code == 200 and "Oude Naam" in page.content.decode()
    response = client.post(
        reverse("accounts:profile"),
        {"name": "Nieuwe Naam", "company_name": "Dekker Bouw", "company_sector": "construction", "company_size": "medium"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.company_name, user.company_sector, user.company_size) == (
        "Nieuwe Naam",
        "Dekker Bouw",
        "construction",
        "medium",
    )
    bad = client.post(reverse("accounts:profile"), {"name": "", "company_size": "huge"})
    assert bad.status_code == 200 and set(bad.context["form"].errors) == {"name", "company_size"}


def test_admin_log_in_goes_through_allauth(client, user_factory):
    response = client.get("/beheer/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(user_factory())
    assert client.get("/beheer/login/").status_code == 403  # a learner never reaches the admin


def test_english_through_the_language_switcher(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("account_login")).content.decode()
    assert 'lang="en"' in html


def test_demo_accounts_log_in_with_the_documented_passwords(client, db, settings):
    """The passwords in README.md's demo table open the demo accounts (make run loads them)."""
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    call_command("loaddata", "module6", "demo", verbosity=0)
    readme = open(settings.BASE_DIR / "README.md", encoding="utf-8").read()
    table = re.findall(r"^\| ([^|]+) \| `([^`]+@[^`]+)` \| `([^`]+)` \|$", readme, flags=re.M)
    assert len(table) >= 6, table
    for role, email, password in table:
        client.logout()
        response = client.post(reverse("account_login"), {"login": email, "password": password})
        assert response.status_code == 302, (role, email)
        # Staff land on their work, learners on their own page (issue 9.10).
        staff = any(word in role for word in ("staff", "manager", "trainer"))
        assert response["Location"] == reverse("centres:home" if staff else "dashboard"), (role, email)


def test_password_reset_is_rate_limited_per_address(client, user_factory):
    user_factory(email="vergeten@example.org")
    for _ in range(5):
        assert client.post(reverse("account_reset_password"), {"email": "vergeten@example.org"}).status_code == 302
    response = client.post(reverse("account_reset_password"), {"email": "vergeten@example.org"})
    assert response.status_code in {200, 429}
    assert len(mail.outbox) == 5  # the sixth request in a minute sends nothing
