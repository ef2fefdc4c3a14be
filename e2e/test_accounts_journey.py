"""In a real browser, in Arabic: sign up and open the account from the emailed link, sign in,
sign out, then recover the password by email.

Emails go to a mail folder (Django's file backend), as they do under `make run`; the test reads
the recovery link from there like a customer would from their inbox.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from lumeire.core.identity import luhn_check_digit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "سارة_٢"
EMAIL = "sara.journey@example.com"
PASSWORD = "nights by the red sea are long"
NEW_PASSWORD = "mornings in the old town are quiet"
ANSWER = "Qamar the cat"
SEPARATOR = "-" * 79


@pytest.fixture
def mail_folder(settings, tmp_path) -> Path:
    """Send the live server's emails to files; live_server runs in this process."""
    folder = tmp_path / "mail"
    folder.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(folder)
    return folder


def mails_in(folder: Path) -> list[email.message.EmailMessage]:
    """Every message in the folder (the file backend writes one file per connection)."""
    messages = []
    for path in sorted(folder.iterdir()):
        for chunk in path.read_bytes().split(b"\n" + SEPARATOR.encode() + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


def link_in(folder: Path, pattern: str) -> str:
    for message in reversed(mails_in(folder)):
        if match := re.search(pattern, message.get_content()):
            return match[1]
    raise AssertionError(f"no email in {folder} carries {pattern}")


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def test_a_customer_signs_up_in_arabic_signs_in_and_recovers_the_password(
    live_server, mail_folder, page
):
    site = live_server.url
    identity = "209876541"
    identity += luhn_check_digit(identity)

    # Sign up, in Arabic, right to left.
    page.goto(f"{site}/ar/account/sign-up/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_label("اسم المستخدم", exact=True).fill(USERNAME)
    page.get_by_label("البريد الإلكتروني", exact=True).fill(EMAIL)
    page.get_by_label("كلمة المرور", exact=True).fill(PASSWORD)
    assert page.locator(".strength").inner_text() == "قوية: طويلة ويصعب تخمينها."
    page.get_by_label("تأكيد كلمة المرور", exact=True).fill(PASSWORD)
    page.get_by_label("الاسم الكامل").fill("سارة العتيبي")
    page.get_by_label("تاريخ الميلاد").fill("1991-07-21")
    page.get_by_label("رقم الهوية الوطنية أو رقم الإقامة").fill(identity)
    page.get_by_label("سؤال الاسترداد", exact=True).select_option("first_pet")
    page.get_by_label("إجابة سؤال الاسترداد").fill(ANSWER)
    page.get_by_label("قرأت").check()
    page.get_by_role("button", name="إنشاء حسابي").click()

    page.wait_for_url(f"{site}/ar/account/sign-up/check-email/")
    assert heading(page) == "تفقّد بريدك الإلكتروني"
    # The account opens only from the emailed link, with a button on the page it leads to.
    opening = link_in(mail_folder, r"https?://[^/\s]+(/ar/account/sign-up/open/[\w-]+/)")
    page.goto(site + opening)
    page.wait_for_url(f"{site}/ar/account/sign-up/open/")
    page.get_by_role("button", name="افتح حسابي").click()
    assert heading(page) == "حسابك مفتوح"

    # Sign in by username, see the account, sign out.
    page.get_by_role("navigation").get_by_role("link", name="تسجيل الدخول").click()
    page.get_by_label("اسم المستخدم أو البريد الإلكتروني").fill(USERNAME)
    page.get_by_label("كلمة المرور", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="تسجيل الدخول").click()
    page.wait_for_url(f"{site}/ar/account/")
    assert heading(page) == "حسابي"
    account = page.get_by_role("main").inner_text()
    assert "سارة العتيبي" in account and EMAIL in account
    assert identity not in account and f"{identity[0]}******{identity[-3:]}" in account
    page.get_by_role("button", name="تسجيل الخروج").click()
    page.wait_for_url(f"{site}/ar/")
    assert "تم تسجيل خروجك من كل الأجهزة والتطبيقات." in page.get_by_role("main").inner_text()

    # Forgot the password: the link arrives by email, the page asks the recovery question.
    page.goto(f"{site}/ar/account/sign-in/")
    page.get_by_role("link", name="نسيت كلمة المرور؟").click()
    page.get_by_label("اسم المستخدم أو البريد الإلكتروني").fill(EMAIL)
    page.get_by_role("button", name="أرسل لي رابطًا").click()
    page.wait_for_url(f"{site}/ar/account/forgot/sent/")
    recovery = link_in(mail_folder, r"https?://[^/\s]+(/ar/account/recover/[\w-]+/)")
    page.goto(site + recovery)
    page.wait_for_url(f"{site}/ar/account/recover/set-password/")
    assert "ما اسم أول حيوان أليف اقتنيته؟" in page.get_by_role("main").inner_text()
    page.get_by_label("إجابتك").fill("  qamar THE cat ")
    page.get_by_label("كلمة المرور الجديدة", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("تأكيد كلمة المرور الجديدة").fill(NEW_PASSWORD)
    page.get_by_role("button", name="تغيير كلمة المرور").click()

    # No automatic sign-in: the sign-in page says the password changed.
    page.wait_for_url(f"{site}/ar/account/sign-in/")
    assert "تم تغيير كلمة المرور." in page.get_by_role("main").inner_text()
    page.get_by_label("اسم المستخدم أو البريد الإلكتروني").fill(EMAIL)
    page.get_by_label("كلمة المرور", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="تسجيل الدخول").click()
    page.wait_for_url(f"{site}/ar/account/")
    assert heading(page) == "حسابي"
    subjects = [str(message["Subject"]).strip() for message in mails_in(mail_folder)]
    assert "تم تغيير كلمة مرورك في Lumeire" in subjects
