"""Placeholder until its issue lands (being written now)."""
def ingest():
    """Not yet available."""
    raise SystemExit("not yet implemented")
