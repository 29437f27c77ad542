"""Reading and checking tables: CSV, the Table Schemas, the raw layer, errors, settings and
paths."""
