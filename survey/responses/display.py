"""Small template helpers for the participant's pages: phone links, anchors in a
sentence, and a VAS position put into words."""
import re
from functools import lru_cache

from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..i18n import localized

#: A phone number as people write it: 8 or more digits, single spaces or dashes between.
PHONE_NUMBER = re.compile(r"(?<![\w@.])\+?\d(?:[ -]?\d){7,}(?![\w@])")


@lru_cache(maxsize=32)  # the study's contact text, one per language: the same on every page
def contact_links(text):
    """The contact text with each phone number as a tel: link that never breaks inside."""
    html, last = [], 0
    for match in PHONE_NUMBER.finditer(text):
        number = match.group()
        dial = ("+" if number.startswith("+") else "") + re.sub(r"\D", "", number)
        html += [escape(text[last:match.start()]),
                 Markup('<a class="tel" href="tel:{}">{}</a>').format(dial, number)]
        last = match.end()
    html.append(escape(text[last:]))
    return Markup("").join(html)


def lower_first(text):
    """An anchor such as "Slet intet spyt" inside a sentence: "slet intet spyt"."""
    return text[:1].lower() + text[1:]


def _near(value, scale, anchor):
    return _("%(value)s out of %(max)s, closer to “%(anchor)s”", value=value, max=scale.max,
             anchor=anchor)


def _middle(value, scale):
    return _("%(value)s out of %(max)s, in the middle", value=value, max=scale.max)


def vas_value_text(scale, value):
    """A VAS position in words, e.g. "37 ud af 100, tættere på »Intet besvær«"."""
    middle = (scale.min + scale.max) / 2
    if value == middle:
        return _middle(value, scale)
    return _near(value, scale, localized(scale.min_anchor if value < middle
                                         else scale.max_anchor))


def vas_text_patterns(scale):
    """The same words with {value} and {anchor} left for the page's script to fill in."""
    return {"near": _near("{value}", scale, "{anchor}"), "middle": _middle("{value}", scale)}


def number_in_words(n):
    """Small numbers as words in running text ("to korte spørgeskemaer"), others as digits."""
    words = {1: _("one"), 2: _("two"), 3: _("three"), 4: _("four"), 5: _("five"),
             6: _("six"), 7: _("seven"), 8: _("eight"), 9: _("nine")}
    return words.get(n, str(n))


def init_display(bp):
    """Register the helpers for every template (error pages use them too)."""
    bp.add_app_template_filter(contact_links, "contact_links")
    bp.add_app_template_filter(lower_first, "lower_first")
    bp.add_app_template_global(vas_value_text, "vas_value_text")
    bp.add_app_template_global(vas_text_patterns, "vas_text_patterns")
    bp.add_app_template_global(number_in_words, "number_in_words")
