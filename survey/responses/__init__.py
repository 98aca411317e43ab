"""Responses to questionnaires: saving answers, submitting, scoring, exporting."""
