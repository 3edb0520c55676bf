"""Human handoff: a citizen's conversation handed to an operator and back (see handoff.md)."""
