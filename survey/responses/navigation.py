"""Where a participant is in the questionnaire and where each button leads."""
from collections import namedtuple

from flask import url_for

from .services import instrument_for, questionnaire_positions, response_for

ReviewRow = namedtuple("ReviewRow", "item value url")


def positions(invitation):
    return questionnaire_positions(invitation)


def position_url(position, from_review=False):
    code, number = position
    return url_for("responses.item_page", code=code, number=number,
                   **({"from": "review"} if from_review else {}))


def _neighbour(invitation, position, step):
    order = positions(invitation)
    index = order.index(position) + step
    return order[index] if 0 <= index < len(order) else None


def next_position(invitation, position):
    return _neighbour(invitation, position, +1)


def previous_position(invitation, position):
    return _neighbour(invitation, position, -1)


def progress(invitation, instrument):
    """Numbers for "Part 1 of 2" on a question page."""
    codes = invitation.instruments
    return {"part": codes.index(instrument.code) + 1, "parts": len(codes),
            "items": len(instrument.items)}


def review_sections(invitation):
    """[(instrument, [ReviewRow])] with every item, answered or not."""
    sections = []
    for code in invitation.instruments:
        instrument = instrument_for(invitation, code)
        response = response_for(invitation, code)
        values = response.answer_values() if response else {}
        rows = [ReviewRow(item, values.get(item.id), position_url((code, item.number), True))
                for item in instrument.items]
        sections.append((instrument, rows))
    return sections
