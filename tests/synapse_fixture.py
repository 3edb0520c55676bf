"""Moved to tests/support/synapse_fixture.py; kept for bench/matrix_bench.py and scripts/ (they import this name)."""

from tests.support.synapse_fixture import MatrixUser, SynapseServer, ensure_synapse_venv

__all__ = ["MatrixUser", "SynapseServer", "ensure_synapse_venv"]
