"""Accounts, users, org units, the audit log and backups."""
