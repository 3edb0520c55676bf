"""未诉先办: topics found in ticket texts with the KB encoder, growth alerts to supervisors (docs/alerts_and_report.md)."""
