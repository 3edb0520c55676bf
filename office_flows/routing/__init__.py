"""Ticket routing: propose the handling department of a citizen's message.

A text classifier (trained from historical tickets) proposes a first-level category with a
calibrated confidence; a configurable map turns the category into a department. The dispatcher
accepts or overrides the proposal; without a trained model there is no proposal.
"""

from office_flows.routing.dataset import DatasetError, Example, read_examples
from office_flows.routing.departments import DepartmentMap, DepartmentMapError, load_department_map
from office_flows.routing.model import ModelError, Prediction, RouterModel
from office_flows.routing.service import Proposal, Router

__all__ = [
    "DatasetError",
    "DepartmentMap",
    "DepartmentMapError",
    "Example",
    "ModelError",
    "Prediction",
    "Proposal",
    "Router",
    "RouterModel",
    "load_department_map",
    "read_examples",
]
