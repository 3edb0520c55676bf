"""Matrix channel (matrix-nio): plain rooms and direct chats; see docs/matrix.md."""
