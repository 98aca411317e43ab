"""Staff accounts, roles, login with two-factor authentication, and staff pages."""
