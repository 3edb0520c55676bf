"""The monthly analysis report's data (docs/alerts_and_report.md); rendering to PDF and XLSX lives in admin/report."""
