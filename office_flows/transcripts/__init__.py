"""Bot transcripts: every turn through the bot recorded (masked), grouped into conversations by idle time."""
