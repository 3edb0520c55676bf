"""未诉先办: topics found in ticket texts with the KB encoder, growth alerts to supervisors.

See docs/alerts_and_report.md."""
