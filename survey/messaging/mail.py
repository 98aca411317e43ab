"""E-mail: one message with a plain-text and an HTML part, sent by SMTP or into a folder.

SURVEY_MAIL_BACKEND=smtp sends through SURVEY_SMTP_HOST (TLS as SURVEY_SMTP_TLS
says); =folder writes each message as an .eml file for development.
"""
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app, g

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
    """Sends through an SMTP server, keeping the connection open for the next message.

    A reminder run sends many messages; connecting, TLS and logging in once per
    run rather than once per message saves most of the time. A kept connection
    is checked with NOOP before it is used and replaced if the server has closed
    it, so a message is never half-sent on a stale connection. close() ends it
    (done when the app context ends, see mail_transport).
    """

    def __init__(self, host, port, tls="starttls", user=None, password=None,
                 timeout=SMTP_TIMEOUT_SECONDS):
        self.host, self.port, self.tls = host, port, tls
        self.user, self.password, self.timeout = user, password, timeout
        self._smtp = None

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

    def _connection(self):
        if self._smtp is not None:
            try:
                if self._smtp.noop()[0] == 250:
                    return self._smtp
            except (smtplib.SMTPException, OSError):
                pass
            self.close()
        smtp = self._connect()
        try:
            if self.user:
                smtp.login(self.user, self.password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return smtp

    def send(self, message):
        try:
            self._connection().send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            self.close()  # whatever state the server is in, the next message starts afresh
            raise SendError(f"SMTP {self.host}:{self.port}: {safe_error_text(error)}") from None

    def close(self):
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


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
    """The transport the settings choose; one SMTP connection per app context (a request,
    or a whole command such as a reminder run), closed when it ends."""
    config = current_app.config
    if config["SURVEY_MAIL_BACKEND"] == "folder":
        return FolderTransport(config["SURVEY_MAIL_FOLDER"])
    if not config.get("SURVEY_SMTP_HOST"):
        raise SendError("SURVEY_MAIL_BACKEND is smtp but SURVEY_SMTP_HOST is not set")
    if "survey_smtp" not in g:
        g.survey_smtp = SmtpTransport(
            config["SURVEY_SMTP_HOST"], config["SURVEY_SMTP_PORT"], config["SURVEY_SMTP_TLS"],
            config.get("SURVEY_SMTP_USER"), config.get("SURVEY_SMTP_PASSWORD"))
    return g.survey_smtp


def close_mail_connection(exception=None):
    """teardown_appcontext: end the SMTP connection kept by mail_transport, if any."""
    transport = g.pop("survey_smtp", None)
    if transport is not None:
        transport.close()
