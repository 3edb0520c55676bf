"""通知公告: publish to departments or people, read receipts, reminders to those who have not read."""
