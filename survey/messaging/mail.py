"""E-mail: one message with a plain-text and an HTML part, sent by SMTP or into a folder.

SURVEY_MAIL_BACKEND=smtp sends through SURVEY_SMTP_HOST (TLS as SURVEY_SMTP_TLS
says); =folder writes each message as an .eml file for development.
"""
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app

from .errors import SendError, safe_error_text

SMTP_TIMEOUT_SECONDS = 30


def build_email(to, sender, subject, text, html, optout_link, now):
    """An EmailMessage; headers with æøå are RFC 2047-encoded when it is written out."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    # Mail programs show an "unsubscribe" button for this; it opens the confirmation page.
    message["List-Unsubscribe"] = f"<{optout_link}>"
    # Quoted-printable keeps the message 7-bit clean for any SMTP server on the way.
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


class SmtpTransport:
    """Sends through an SMTP server, one connection per message."""

    def __init__(self, host, port, tls="starttls", user=None, password=None,
                 timeout=SMTP_TIMEOUT_SECONDS):
        self.host, self.port, self.tls = host, port, tls
        self.user, self.password, self.timeout = user, password, timeout

    def _connect(self):
        if self.tls == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.tls == "starttls":
            try:
                smtp.starttls(context=ssl.create_default_context())
            except BaseException:
                smtp.close()
                raise
        return smtp

    def send(self, message):
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise SendError(f"SMTP {self.host}:{self.port}: {safe_error_text(error)}") from None


class FolderTransport:
    """Writes each message to an .eml file (development: open it in a mail program)."""

    def __init__(self, folder):
        self.folder = folder

    def send(self, message):
        message_id = message["Message-ID"].strip("<>")
        try:
            os.makedirs(self.folder, exist_ok=True)
            with open(os.path.join(self.folder, f"{message_id}.eml"), "wb") as f:
                f.write(message.as_bytes())
        except OSError as error:
            raise SendError(f"mail folder: {safe_error_text(error)}") from None


def mail_transport():
    """The transport the settings choose."""
    config = current_app.config
    if config["SURVEY_MAIL_BACKEND"] == "folder":
        return FolderTransport(config["SURVEY_MAIL_FOLDER"])
    if not config.get("SURVEY_SMTP_HOST"):
        raise SendError("SURVEY_MAIL_BACKEND is smtp but SURVEY_SMTP_HOST is not set")
    return SmtpTransport(config["SURVEY_SMTP_HOST"], config["SURVEY_SMTP_PORT"],
                         config["SURVEY_SMTP_TLS"], config.get("SURVEY_SMTP_USER"),
                         config.get("SURVEY_SMTP_PASSWORD"))
