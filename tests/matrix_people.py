"""Moved to tests/support/matrix_people.py; this name stays for bench/matrix_bench.py and scripts/ until they import the new one."""

from tests.support.matrix_people import Speaker

__all__ = ["Speaker"]
