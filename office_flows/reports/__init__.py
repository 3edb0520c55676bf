"""The monthly analysis report's data (REPORT.md); rendering to PDF and XLSX lives in admin/report."""
