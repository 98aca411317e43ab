"""The form every coordinator's action starts from: a reason for the audit trail."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason (for the audit trail)"), filters=[
        lambda text: text.strip() if text else text], validators=[
        DataRequired(_l("Give a reason.")), Length(max=2000)])
