"""office_flows."""
