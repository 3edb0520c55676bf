"""Moved to tests/support/synapse_fixture.py; this name stays for bench/matrix_bench.py and scripts/ until they import the new one."""

from tests.support.synapse_fixture import MatrixUser, SynapseServer, ensure_synapse_venv

__all__ = ["MatrixUser", "SynapseServer", "ensure_synapse_venv"]
