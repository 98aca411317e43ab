"""Reminders: decided at run time from the study's policy and each participant's state."""
