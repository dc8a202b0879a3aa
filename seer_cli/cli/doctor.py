"""Placeholder until its issue lands (being written now)."""
def doctor():
    """Not yet available."""
    raise SystemExit("not yet implemented")
