"""Errors a person sees: one base class, and one way a view shows them.

A service raises a UserError subclass when a step cannot be done as asked: str() says
why to a developer (logs, the command line), `.message` says it to the person (translated,
usually a lazy string), `.field` names the form field it belongs to, if any. A view
catches it and calls show_user_error(error, form): the message goes beside its field,
or to the top of the page when it has none, and the form is shown again with what was
typed.
"""
from flask import flash


class UserError(Exception):
    """A step a person asked for that cannot be done; `.message` tells them why."""

    def __init__(self, detail, message=None, field=None):
        super().__init__(detail)
        self.message, self.field = message, field

    def field_messages(self):
        """{form field or None: translated message}; None when there is none to show."""
        return {self.field: self.message} if self.message is not None else {}


def show_user_error(error, form=None, field=None, fallback=None):
    """Show `error` on the page about to be rendered: each message beside its form field
    (`field` for an error that names none), else as a message at the top of the page.

    `fallback` is said when the error has no message for a person. Returns False, so
    that a form's validate() can end with it.
    """
    messages = error.field_messages() or {None: fallback}
    for name, message in messages.items():
        name = name or field
        if form is not None and name is not None and name in form:
            form[name].errors = [*form[name].errors, message]
        elif message is not None:
            flash(message, "error")
    return False
