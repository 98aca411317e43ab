"""Staff accounts: creation, passwords, login with lockout, two-factor authentication."""
import hashlib
import re
import secrets
from datetime import timedelta

import pyotp

from ..audit.services import record_change, staff_actor
from ..extensions import db
from ..timeutil import now_utc
from .models import ROLES, RecoveryCode, StaffUser
from .passwords import (
    check_password_policy,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
RECOVERY_CODE_COUNT = 10
TOTP_ISSUER = "Survey"


class StaffAccountError(ValueError):
    """Input that cannot make or change an account; the message says what to fix."""


def find_staff_user(email):
    return db.session.execute(
        db.select(StaffUser).where(StaffUser.email == email.strip().lower())
    ).scalar_one_or_none()


def create_staff_user(email, role, password, actor="system:cli"):
    """A new account; raises StaffAccountError or PasswordPolicyError and changes nothing."""
    email = (email or "").strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise StaffAccountError("the e-mail address is not valid")
    if role not in ROLES:
        raise StaffAccountError(f"role must be one of {', '.join(ROLES)}")
    if find_staff_user(email) is not None:
        raise StaffAccountError("an account with that e-mail address already exists")
    check_password_policy(password, email)
    user = StaffUser(email=email, role=role, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    record_change(actor, "create", "staff_user", user.id, field="role", new=role)
    return user


def set_password(user, password, actor="system:cli"):
    """Change the password and end every existing session of the account."""
    check_password_policy(password, user.email)
    user.password_hash = hash_password(password)
    user.password_changed_at = now_utc()
    user.session_version += 1
    user.failed_logins, user.locked_until = 0, None
    record_change(actor, "update", "staff_user", user.id, field="password",
                  old="(hidden)", new="(changed)")


def deactivate(user, actor="system:cli"):
    """Disable the account and end its sessions; nothing is deleted."""
    user.is_enabled = False
    user.session_version += 1
    record_change(actor, "update", "staff_user", user.id, field="is_enabled", old=True, new=False)


def authenticate(email, password, now=None):
    """The account if e-mail and password are right and it is usable, else None.

    Unknown e-mail, wrong password, locked and disabled accounts all answer
    None after the same amount of work, so the caller cannot tell them apart.
    """
    now = now or now_utc()
    user = find_staff_user(email or "")
    if user is None:
        verify_password(dummy_hash(), password)
        return None
    if user.locked_until is not None and user.locked_until > now:
        verify_password(dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until, user.failed_logins = now + LOCKOUT, 0
            record_change("system:login", "lock", "staff_user", user.id, field="locked_until",
                          new=user.locked_until.isoformat())
        return None
    if not user.is_enabled:
        return None
    user.failed_logins, user.locked_until = 0, None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def record_login(user, now=None):
    user.last_login_at = now or now_utc()


def start_totp_enrolment(user):
    """A new, unconfirmed secret; returns the otpauth:// URI for the QR code."""
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = None
    return provisioning_uri(user)


def provisioning_uri(user):
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email,
                                                         issuer_name=TOTP_ISSUER)


def _accept_totp(user, code, now):
    """Check a 6-digit code (one step of clock drift allowed) and refuse replays."""
    code = re.sub(r"\s", "", code or "")
    if not (user.totp_secret and code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            if user.totp_last_step is not None and candidate <= user.totp_last_step:
                return False
            user.totp_last_step = candidate
            return True
    return False


def confirm_totp_enrolment(user, code, now=None):
    """Confirm the app works; returns fresh recovery codes (shown once) or None."""
    now = now or now_utc()
    if not _accept_totp(user, code, now):
        return None
    user.totp_confirmed_at = now
    record_change(staff_actor(user), "update", "staff_user", user.id, field="two_factor",
                  old="off", new="on")
    return new_recovery_codes(user)


def new_recovery_codes(user):
    """Replace the account's recovery codes; returns the plain codes to show once."""
    for old in user.recovery_codes:
        db.session.delete(old)
    codes = ["-".join(secrets.token_hex(3) for _ in range(3)) for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.session.add(RecoveryCode(user=user, code_hash=_recovery_hash(code)))
    return codes


def _recovery_hash(code):
    # 72 random bits per code: a fast hash is enough, unlike for chosen passwords.
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def verify_second_factor(user, code, now=None):
    """A TOTP code, or an unused recovery code (then used up)."""
    now = now or now_utc()
    if _accept_totp(user, code, now):
        return True
    typed = _recovery_hash((code or "").strip().lower())
    for recovery in user.recovery_codes:
        if recovery.used_at is None and secrets.compare_digest(recovery.code_hash, typed):
            recovery.used_at = now
            record_change(staff_actor(user), "use", "recovery_code", recovery.id)
            return True
    return False
