"""Automatic quality inspection (质检) of closed tickets and handoff conversations, with human review of a sample."""
