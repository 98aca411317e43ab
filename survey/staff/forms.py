from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired


class LoginForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[
        InputRequired(_l("Type your e-mail address."))])
    password = PasswordField(_l("Password"), validators=[
        InputRequired(_l("Type your password."))])


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[InputRequired(_l("Type the code."))])


class PasswordCheckForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[
        InputRequired(_l("Type your password."))])
