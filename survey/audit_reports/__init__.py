"""The audit trail's pages, exports and checks: the reading side of survey/audit."""
