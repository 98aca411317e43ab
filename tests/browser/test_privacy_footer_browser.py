"""The privacy footer on participant pages ("How we handle your data"), in a real headless
Chromium on a phone: its own readable style from survey.css, the pages' HTML unchanged.
At least the body's text size, enough contrast, a touch target of 44 px and space between
it and what is above it."""
import re

import pytest
from playwright.sync_api import expect

from survey.responses.page_cache import forget_pages

from .conftest import PHONE

pytestmark = pytest.mark.browser

PRIVACY = {"da": "https://hospital.example.dk/privatliv", "en": "https://hospital.example.dk/privacy"}

FOOTER_STYLE = """() => {
  const footer = document.querySelector('footer.privacy');
  const link = footer.querySelector('a');
  const above = footer.previousElementSibling.getBoundingClientRect();
  const size = el => parseFloat(getComputedStyle(el).fontSize);
  return {body: size(document.body), footer: size(footer), link: size(link),
          colour: getComputedStyle(link).color, height: link.getBoundingClientRect().height,
          gap: link.getBoundingClientRect().top - above.bottom,
          background: getComputedStyle(document.documentElement).backgroundColor};
}"""


def luminance(css_colour):
    """Relative luminance (WCAG 2) of a computed "rgb(r, g, b)" colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", css_colour)[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one, other):
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def privacy_notice(live_server):
    """The live server links a privacy notice from every participant page, for this test."""
    config = live_server.app.config
    before = config["SURVEY_PRIVACY_URL"]
    config["SURVEY_PRIVACY_URL"] = PRIVACY
    forget_pages(live_server.app)  # pages kept with the settings before (as a restart would)
    yield
    config["SURVEY_PRIVACY_URL"] = before
    forget_pages(live_server.app)


@pytest.mark.parametrize("path", ["/q/", "/q/xq/1", "/q/vas/1"])
def test_the_privacy_footer_is_readable_on_a_phone(live_server, new_context, privacy_notice,
                                                   path):
    _, link = live_server.invite()
    page = new_context(**PHONE).new_page()
    page.goto(link)
    page.goto(live_server.url + path)
    footer_link = page.locator("footer.privacy a")
    expect(footer_link).to_have_attribute("href", PRIVACY["da"])
    style = page.evaluate(FOOTER_STYLE)
    assert style["footer"] >= style["body"] and style["link"] >= style["body"], style
    assert contrast(style["colour"], style["background"]) >= 4.5, style  # WCAG AA, body text
    assert style["height"] >= 44, style  # a touch target, like every other link on these pages
    assert style["gap"] >= 8, style  # not stuck to the contact details above it
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
