"""The kernel: configuration, database, clock, logging, identity and roles, the scheduler tick and the working calendar.

It imports no other package of the project; every other package may import it.
"""
