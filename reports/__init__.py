"""What leaves orgnet on paper or as files: safe CSV/XLSX/JSON exports (``export``)."""
