"""Shared kernel: configuration, database, clock, logging and the command line."""

__version__ = "0.1.0"
