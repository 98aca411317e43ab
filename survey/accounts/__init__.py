"""Staff accounts: the admin's list (create, deactivate, reactivate, role, name, two-factor
reset) and each person's own password and name."""
