"""The privacy page shows the published policy version, and its plain text renders safely."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lumeire.core.tests.markup import parse
from lumeire.privacy.models import PolicyVersion
from lumeire.storefront.policy_text import policy_body_html

pytestmark = pytest.mark.django_db


def test_numbered_lines_bullets_and_paragraphs_become_lists_and_paragraphs():
    text = "Intro line one\nstill intro.\n\n1. First\n2. Second\n\n- a bullet\n- another\nClosing."

    assert policy_body_html(text) == (
        "<p>Intro line one still intro.</p>\n"
        "<ol><li>First</li><li>Second</li></ol>\n"
        "<ul><li>a bullet</li><li>another</li></ul>\n"
        "<p>Closing.</p>"
    )


def test_policy_text_is_escaped_before_it_is_wrapped():
    html = policy_body_html('1. <script>alert("x")</script>\n- <b onclick="x">bold</b>\n& more')

    assert "<script" not in html and "<b " not in html
    assert "&lt;script&gt;" in html
    assert "&amp; more" in html


def test_an_empty_body_renders_nothing():
    assert policy_body_html("") == ""


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_privacy_page_renders_the_current_version_from_the_database(client, language):
    policy = PolicyVersion.objects.get(version=1)
    sections = {s["key"]: s for s in policy.sections_in(language)}

    response = client.get(f"/{language}/privacy/")

    html = response.content.decode()
    document = parse(html)
    assert response.status_code == 200
    assert document.find_all("h1")[0].text.strip() == sections["introduction"]["title"]
    first = next(s for s in document.find_all("section") if s.attrs.get("id") == "first")
    # The stored words, then the generated lists (see test_policy_pages for their content).
    opening = sections["first"]["body"].split("\n\n")[0]
    assert first.find_all("p")[0].text.strip() == opening
    assert first.find_all("ul"), "the generated list of what is kept"
    third = next(s for s in document.find_all("section") if s.attrs.get("id") == "third")
    assert len(third.find_all("ul")) == 1
    assert len(third.find_all("p")) == 2
    # The policy's own table of contents: the first navigation inside the page's main part.
    policy_contents = document.find_all("main")[0].find_all("nav")[0]
    contents = [a.attrs["href"] for a in policy_contents.find_all("a")]
    assert contents == ["#first", "#second", "#third", "#fourth"]


def test_an_earlier_version_keeps_its_own_address_and_points_to_the_one_in_force(client):
    PolicyVersion.objects.create(
        version=2,
        status="published",
        effective_at=datetime(2026, 11, 20, tzinfo=UTC),
        sections=[
            {
                "key": "first",
                "title": {"en": "What we keep now", "ar": "ما نحفظه الآن"},
                "body": {"en": "1. Less than before.", "ar": "1. أقل من قبل."},
            }
        ],
    )

    current = client.get("/en/privacy/").content.decode()
    earlier = client.get("/en/privacy/v1/").content.decode()

    assert "What we keep now" in current and "Version 2" in current
    assert "The information we keep" in earlier and "Version 1" in earlier
    assert 'href="/en/privacy/"' in earlier and "Read the version in force" in earlier


def test_an_unknown_version_is_a_404(client):
    assert client.get("/en/privacy/v99/").status_code == 404
