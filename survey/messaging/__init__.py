"""Sending invitations and reminders by e-mail, SMS and letter, and recording every send."""
