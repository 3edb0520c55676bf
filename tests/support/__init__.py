"""What the tests share: the environment (paths, skips), rigs that build a runtime, doubles, the dialogue kit."""
