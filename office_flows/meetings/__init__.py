"""Meetings: rooms, booking with conflict checks, invitations and replies, reminders, minutes, iCalendar."""
