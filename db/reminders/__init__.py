"""Reminders of due work: notifications per user made once a day (python -m db.reminders, or the day's first page
view), escalation of what stays late, and each user's inbox."""
