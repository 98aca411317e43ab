from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="Check and export the audit trail.")
