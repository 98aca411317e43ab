"""The study's reminder schedule and sending hours: read by messaging (when a failed message
may be retried) and by reminders (who is reminded when), so it sits below both."""
