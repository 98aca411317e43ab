from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint

from ..extensions import db
from ..permissions import ROLES
from ..timeutil import UTCDateTime, now_utc

#: The roles SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY lets log in without two-factor authentication.
ROLES_2FA_MAY_BE_OPTIONAL = ("data_entry",)


def roles_requiring_2fa():
    """Every role must use two-factor authentication, unless a setting relaxes data entry's."""
    if current_app.config.get("SURVEY_2FA_OPTIONAL_FOR_DATA_ENTRY"):
        return tuple(role for role in ROLES if role not in ROLES_2FA_MAY_BE_OPTIONAL)
    return ROLES


class StaffUser(UserMixin, db.Model):
    """A member of the study team who logs in to the staff pages."""

    __table_args__ = (
        CheckConstraint("role IN ('data_entry', 'coordinator', 'admin')", name="role"),
        CheckConstraint("language IN ('da', 'en')", name="language"),
    )

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    #: The printed name on this account's electronic signatures; asked for before the
    #: first signature of an account made without one.
    full_name = db.Column(db.String(200))
    role = db.Column(db.String(12), nullable=False)
    #: Argon2id hash (argon2-cffi defaults: t=3, m=64 MiB, p=4).
    password_hash = db.Column(db.String(200), nullable=False)
    is_enabled = db.Column(db.Boolean, nullable=False, default=True)
    language = db.Column(db.String(2), nullable=False, default="da")
    #: Base32 TOTP secret; confirmed once the first code from the app was right.
    totp_secret = db.Column(db.String(64))
    totp_confirmed_at = db.Column(UTCDateTime)
    #: The last TOTP time step used, so a code cannot be replayed.
    totp_last_step = db.Column(db.Integer)
    #: Wrong passwords, and wrong second-factor codes, since the last right one or lockout.
    failed_logins = db.Column(db.Integer, nullable=False, default=0)
    failed_codes = db.Column(db.Integer, nullable=False, default=0)
    locked_until = db.Column(UTCDateTime)
    #: Part of every session's identity: raising it ends all existing sessions.
    session_version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    password_changed_at = db.Column(UTCDateTime, nullable=False, default=now_utc)
    last_login_at = db.Column(UTCDateTime)

    recovery_codes = db.relationship("RecoveryCode", back_populates="user")

    @property
    def is_active(self):  # Flask-Login: disabled accounts cannot log in
        return self.is_enabled

    def get_id(self):
        return f"{self.id}:{self.session_version}"

    @property
    def has_2fa(self):
        return self.totp_confirmed_at is not None

    @property
    def needs_2fa(self):
        return self.role in roles_requiring_2fa()

    def __repr__(self):
        return f"<StaffUser {self.id} {self.role}>"


class RecoveryCode(db.Model):
    """A one-time code to log in when the authenticator app is lost; stored hashed."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.ForeignKey("staff_user.id"), nullable=False, index=True)
    code_hash = db.Column(db.String(200), nullable=False)
    used_at = db.Column(UTCDateTime)

    user = db.relationship("StaffUser", back_populates="recovery_codes")

