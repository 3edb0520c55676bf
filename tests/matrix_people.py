"""Moved to tests/support/matrix_people.py; kept for bench/matrix_bench.py and scripts/ (they import this name)."""

from tests.support.matrix_people import Speaker

__all__ = ["Speaker"]
