"""Staff accounts: creation, passwords, login with lockout, two-factor authentication."""
import enum
import hashlib
import re
import secrets

import pyotp
from sqlalchemy import or_, update

from ..audit.services import record_change, staff_actor
from ..email_address import normalise_email
from ..extensions import db
from ..permissions import GRANTS, Permission
from ..timeutil import now_utc
from .lockout import CODE, MAX_FAILED_TRIES, PASSWORD, claim_try, give_back
from .models import ROLES, RecoveryCode, StaffUser
from .passwords import (
    check_password_policy,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)

MAX_FAILED_LOGINS = MAX_FAILED_TRIES
RECOVERY_CODE_COUNT = 10
FULL_NAME_MAX = 200
TOTP_ISSUER = "Survey"


class CodeOutcome(enum.Enum):
    """What became of a second-factor code (the value is what the audit trail says)."""

    RIGHT = "right"
    WRONG = "wrong"
    #: Refused unchecked, or the wrong code that locked the account.
    LOCKED = "locked"


class StaffAccountError(ValueError):
    """Input that cannot make or change an account; the message says what to fix."""


def find_staff_user(email):
    return db.session.execute(
        db.select(StaffUser).where(StaffUser.email == email.strip().lower())
    ).scalar_one_or_none()


def clean_full_name(full_name):
    """The name as it is printed on signatures: spaces tidied; StaffAccountError if empty."""
    name = " ".join((full_name or "").split())
    if not name:
        raise StaffAccountError("the full name is empty")
    if len(name) > FULL_NAME_MAX:
        raise StaffAccountError(f"the full name is longer than {FULL_NAME_MAX} characters")
    return name


def create_staff_user(email, role, password, actor="system:cli", full_name=None):
    """A new account; raises StaffAccountError or PasswordPolicyError and changes nothing.

    `full_name` is printed on the account's signatures; without it the person is
    asked for it before their first signature.
    """
    name = None if full_name is None else clean_full_name(full_name)
    email = normalise_email((email or "").strip().lower(), mailed=False)
    if email is None:
        raise StaffAccountError("the e-mail address is not valid")
    if role not in ROLES:
        raise StaffAccountError(f"role must be one of {', '.join(ROLES)}")
    if find_staff_user(email) is not None:
        raise StaffAccountError("an account with that e-mail address already exists")
    check_password_policy(password, email)
    user = StaffUser(email=email, role=role, password_hash=hash_password(password),
                     full_name=name)
    db.session.add(user)
    db.session.flush()
    record_change(actor, "create", "staff_user", user.id, field="role", new=role)
    if name:
        record_change(actor, "create", "staff_user", user.id, field="full_name", new=name)
    return user


def set_full_name(user, full_name, actor="system:cli"):
    """Change the name printed on the account's signatures (earlier signatures keep theirs)."""
    name = clean_full_name(full_name)
    if name != user.full_name:
        record_change(actor, "update", "staff_user", user.id, field="full_name",
                      old=user.full_name, new=name)
        user.full_name = name
    return user


def set_password(user, password, actor="system:cli"):
    """Change the password and end every existing session of the account."""
    check_password_policy(password, user.email)
    user.password_hash = hash_password(password)
    user.password_changed_at = now_utc()
    user.session_version += 1
    user.failed_logins, user.failed_codes, user.locked_until = 0, 0, None
    record_change(actor, "update", "staff_user", user.id, field="password",
                  old="(hidden)", new="(changed)")


def deactivate(user, actor="system:cli"):
    """Disable the account and end its sessions; nothing is deleted."""
    user.is_enabled = False
    user.session_version += 1
    record_change(actor, "update", "staff_user", user.id, field="is_enabled", old=True, new=False)


def _clean_reason(reason):
    reason = " ".join((reason or "").split())
    if not reason:
        raise StaffAccountError("a reason is needed")
    return reason


def _other_enabled_account_managers(user):
    return db.session.execute(db.select(db.func.count(StaffUser.id)).where(
        StaffUser.role.in_(GRANTS[Permission.MANAGE_ACCOUNTS].roles),
        StaffUser.is_enabled.is_(True), StaffUser.id != user.id,
    )).scalar_one()


def reset_two_factor(user, reason, actor):
    """Forget the account's authenticator app and recovery codes and end its sessions: the
    person sets up two-factor again at the next login (with their password)."""
    reason = _clean_reason(reason)
    was = "on" if user.has_2fa else "off"
    user.totp_secret, user.totp_confirmed_at, user.totp_last_step = None, None, None
    for code in user.recovery_codes:
        db.session.delete(code)
    user.failed_codes = 0
    user.session_version += 1
    record_change(actor, "update", "staff_user", user.id, field="two_factor", old=was,
                  new="off", reason=reason)


def change_role(user, role, reason, actor):
    """Give the account another role and end its sessions; the last active administrator
    keeps the role (nobody could manage the accounts otherwise)."""
    reason = _clean_reason(reason)
    if role not in ROLES:
        raise StaffAccountError(f"role must be one of {', '.join(ROLES)}")
    if role == user.role:
        raise StaffAccountError("the account already has this role")
    managers = GRANTS[Permission.MANAGE_ACCOUNTS].roles
    if (user.role in managers and role not in managers and user.is_enabled
            and not _other_enabled_account_managers(user)):
        raise StaffAccountError("the last active administrator keeps the role")
    record_change(actor, "update", "staff_user", user.id, field="role", old=user.role, new=role,
                  reason=reason)
    user.role = role
    user.session_version += 1


def reactivate(user, reason, actor):
    """Let a deactivated account log in again (with its password and second factor); failed
    tries and any lock are cleared."""
    reason = _clean_reason(reason)
    if user.is_enabled:
        raise StaffAccountError("the account is already active")
    user.is_enabled = True
    user.failed_logins, user.failed_codes, user.locked_until = 0, 0, None
    record_change(actor, "update", "staff_user", user.id, field="is_enabled", old=False,
                  new=True, reason=reason)


def authenticate(email, password, now=None):
    """The account if e-mail and password are right and it is usable, else None.

    Unknown e-mail, wrong password, locked and disabled accounts all answer
    None after the same amount of work, so the caller cannot tell them apart.
    """
    now = now or now_utc()
    user = find_staff_user(email or "")
    tried = claim_try(user, PASSWORD, now) if user is not None else None
    stored_hash = user.password_hash if tried is not None else dummy_hash()
    # The try counts now; the hash (tens of milliseconds) runs outside any transaction,
    # so it never holds SQLite's write lock or a PostgreSQL row lock.
    db.session.commit()
    right = verify_password(stored_hash, password)
    if tried is None:
        return None
    if not right:
        _record_lock(user, tried)
        return None
    give_back(user, tried)
    if not user.is_enabled:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def recheck_password(user, password, now=None):
    """The password of an account already logged in, typed again (to sign something).

    Counted like a login try and committed before the hash runs, so a wrong
    password here brings the same lockout nearer. True when right; False when
    wrong or the account is locked (then `user.locked_until` says until when).
    """
    now = now or now_utc()
    tried = claim_try(user, PASSWORD, now)
    db.session.commit()
    if tried is None:
        return False
    if not verify_password(user.password_hash, password or ""):
        record_change(staff_actor(user), "sign_failed", "staff_user", user.id,
                      field="password", new="wrong", now=now)
        _record_lock(user, tried)
        db.session.commit()
        return False
    give_back(user, tried)
    return True


def _record_lock(user, tried):
    if tried.locked_until is not None:
        record_change("system:login", "lock", "staff_user", user.id, field="locked_until",
                      new=tried.locked_until.isoformat())


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
    """Check a 6-digit code (one step of clock drift allowed); each time step works once."""
    code = re.sub(r"\s", "", code or "")
    if not (user.totp_secret and code.isascii() and code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return _use_totp_step(user, candidate)
    return False


def _use_totp_step(user, step):
    """Remember the step as used, in one statement, unless it or a later one was used."""
    used = db.session.execute(
        update(StaffUser).where(StaffUser.id == user.id,
                                or_(StaffUser.totp_last_step.is_(None),
                                    StaffUser.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    db.session.expire(user, ["totp_last_step"])
    return used.rowcount == 1


def _check_code(user, accept, now):
    """Claim a try, then `accept()`; audits the attempt and returns its CodeOutcome."""
    tried = claim_try(user, CODE, now)
    if tried is None:
        outcome = CodeOutcome.LOCKED
    elif accept():
        give_back(user, tried)
        outcome = CodeOutcome.RIGHT
    else:
        outcome = CodeOutcome.WRONG
    record_change(staff_actor(user), "try_code", "staff_user", user.id, field="second_factor",
                  new=outcome.value, now=now)
    if outcome is CodeOutcome.WRONG and tried.locked_until:  # this wrong code locked it
        _record_lock(user, tried)
        return CodeOutcome.LOCKED
    return outcome


def confirm_totp_enrolment(user, code, now=None):
    """Confirm the app works: (CodeOutcome, fresh recovery codes to show once or None)."""
    now = now or now_utc()
    outcome = _check_code(user, lambda: _accept_totp(user, code, now), now)
    if outcome is not CodeOutcome.RIGHT:
        return outcome, None
    user.totp_confirmed_at = now
    record_change(staff_actor(user), "update", "staff_user", user.id, field="two_factor",
                  old="off", new="on")
    return outcome, new_recovery_codes(user)


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


def verify_totp(user, code, now=None):
    """A current TOTP code only (no recovery code), each time step once: a CodeOutcome."""
    now = now or now_utc()
    return _check_code(user, lambda: _accept_totp(user, code, now), now)


def verify_second_factor(user, code, now=None):
    """A TOTP code, or an unused recovery code (then used up): a CodeOutcome."""
    now = now or now_utc()
    return _check_code(
        user, lambda: _accept_totp(user, code, now) or _use_recovery_code(user, code, now), now)


def _use_recovery_code(user, code, now):
    typed = _recovery_hash((code or "").strip().lower())
    for recovery in user.recovery_codes:
        if recovery.used_at is None and secrets.compare_digest(recovery.code_hash, typed):
            # Used up in one statement: of two requests with the same code, one wins.
            used = db.session.execute(
                update(RecoveryCode).where(RecoveryCode.id == recovery.id,
                                           RecoveryCode.used_at.is_(None))
                .values(used_at=now).execution_options(synchronize_session=False))
            db.session.expire(recovery, ["used_at"])
            if used.rowcount == 1:
                record_change(staff_actor(user), "use", "recovery_code", recovery.id)
                return True
    return False
