"""SMS: a gateway interface, an HTTP gateway, a folder for development, and GSM-7 lengths.

A gateway is any object with ``send(to, text) -> provider message id`` that
raises SendError when the message was not accepted. SURVEY_SMS_BACKEND=http
posts JSON to SURVEY_SMS_URL; =folder appends JSON lines to a file.
"""
import json
import os
import secrets
import urllib.error
import urllib.request
from typing import Protocol

from flask import current_app

from ..timeutil import now_utc
from .errors import SendError, safe_error_text

HTTP_TIMEOUT_SECONDS = 15
SMS_LIMIT = 160  # GSM-7 characters in one SMS
#: GSM-7 characters in an SMS sent as two linked parts (each part gives 7 to the link).
SMS_TWO_PART_LIMIT = 2 * 153

#: The GSM 03.38 basic character set (one septet each); æ, ø, å, Æ, Ø, Å are in it.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: The extension table: each costs an escape and the character, two septets.
GSM7_EXTENSION = "^{}\\[~]|€\f"


def gsm7_length(text):
    """Length of `text` in GSM-7 septets, or None if it has a character GSM-7 lacks."""
    length = 0
    for character in text:
        if character in GSM7_BASIC:
            length += 1
        elif character in GSM7_EXTENSION:
            length += 2
        else:
            return None
    return length


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> str:
        """Hand the text over for delivery; return the provider's message id."""


class HttpSmsGateway:
    """POSTs {"to", "from", "text"} as JSON with a bearer key; the reply names the id.

    The reply must be a JSON object with the message id as "id" (or "message_id").
    """

    def __init__(self, url, key, sender, timeout=HTTP_TIMEOUT_SECONDS):
        self.url, self.key, self.sender, self.timeout = url, key, sender, timeout

    def send(self, to, text):
        body = json.dumps({"to": to, "from": self.sender, "text": text}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Accept": "application/json",
            "Authorization": f"Bearer {self.key}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            error.close()
            # The reply body is not kept: a gateway may repeat the phone number in it.
            raise SendError(f"SMS gateway answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            raise SendError(f"SMS gateway not reached: {safe_error_text(error)}") from None
        except ValueError:
            raise SendError("SMS gateway's reply is not JSON") from None
        if not isinstance(reply, dict):
            raise SendError("SMS gateway's reply is not a JSON object")
        message_id = reply.get("id") or reply.get("message_id")
        if not message_id:
            raise SendError("SMS gateway's reply has no message id")
        return str(message_id)


class FolderSmsGateway:
    """Appends each SMS as a JSON line to sms.jsonl in a folder (development)."""

    def __init__(self, folder):
        self.folder = folder

    def send(self, to, text):
        message_id = f"folder-{secrets.token_hex(8)}"
        line = json.dumps({"id": message_id, "at": now_utc().isoformat(timespec="seconds"),
                           "to": to, "text": text}, ensure_ascii=False)
        try:
            os.makedirs(self.folder, exist_ok=True)
            with open(os.path.join(self.folder, "sms.jsonl"), "a", encoding="utf-8") as f:
                f.write(line + "\n")
        except OSError as error:
            raise SendError(f"SMS folder: {safe_error_text(error)}") from None
        return message_id


def sms_gateway():
    """The gateway the settings choose."""
    config = current_app.config
    if config["SURVEY_SMS_BACKEND"] == "folder":
        return FolderSmsGateway(config["SURVEY_SMS_FOLDER"])
    if not (config.get("SURVEY_SMS_URL") and config.get("SURVEY_SMS_KEY")):
        raise SendError("SURVEY_SMS_BACKEND is http but SURVEY_SMS_URL or SURVEY_SMS_KEY is "
                        "not set")
    return HttpSmsGateway(config["SURVEY_SMS_URL"], config["SURVEY_SMS_KEY"],
                          config["SURVEY_SMS_FROM"])
