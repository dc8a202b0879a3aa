"""The experience pool: storage (:mod:`.store`), derived indexes (:mod:`.index`), the facade
:class:`Pool`, and recall on top of it (:mod:`.recall`)."""

from .pool import AddResult, Pool, PruneResult

__all__ = ["AddResult", "Pool", "PruneResult"]
