"""Evaluation: ToolQA questions, answer scoring, resumable runs, reports and run comparison.

``scoring`` holds the statistics and re-exports the answer matchers of :mod:`seer_cli.answers`;
``toolqa`` loads the question files; ``runner`` runs a split with the agent; ``report`` renders
tables and plots.
"""
