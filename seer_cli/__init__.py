"""seer: Stepwise Experience Recall (SEER, arXiv 2508.15214) for small local LLMs.

The public Python API; the ``seer`` command is a thin layer over it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
