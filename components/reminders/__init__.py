"""Reminders in the app: the day's run on the first page view, the menu's bell, and the inbox page."""
