"""Evaluation: ToolQA questions, answer scoring, resumable runs, reports and run comparison.

``scoring`` is dependency-light (the agent's success judges import it); ``toolqa`` loads the
question files; ``runner`` runs a split with the agent; ``report`` renders tables and plots.
"""
