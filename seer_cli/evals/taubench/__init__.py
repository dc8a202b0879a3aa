"""τ-bench (v1, Sierra 2024): retail and airline customer-service tasks, scored by the database.

:mod:`.env` loads the shipped data and tasks and computes the reward; :mod:`.retail` and
:mod:`.airline` are the tools; :mod:`.user` simulates the customer; :mod:`.toolkit` exposes an
environment to seer's agent; :mod:`.runner` runs ``seer eval taubench``.
"""
