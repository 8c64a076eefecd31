"""Bulk import of operators, shipments and border events from CSV, XLSX or NDJSON files."""
