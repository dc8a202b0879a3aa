"""Placeholder until its issue lands (being written now)."""
def run():
    """Not yet available."""
    raise SystemExit("not yet implemented")
