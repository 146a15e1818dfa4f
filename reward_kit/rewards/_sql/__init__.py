"""Internals of the SQL execution reward: vetting a query, running it on DuckDB, comparing."""
