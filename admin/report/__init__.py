"""The monthly analysis report rendered: charts (matplotlib PNG), PDF (fpdf2) and XLSX (openpyxl)."""
