"""The experience pool: storage (:mod:`.store`), derived indexes (:mod:`.index`), the facade
:class:`Pool`, and recall on top of it (:mod:`.recall`).

The built-in trajectory formats enter the registry of :mod:`.formats` here, through the same
``register_format`` call a plugin uses; their code (:mod:`.readers`) is imported on first use.
"""

from .formats import register_format
from .pool import AddResult, Pool, PruneResult

__all__ = ["AddResult", "Pool", "PruneResult"]


def _register_builtin_format(name: str) -> None:
    def detector(suffix, first_char, record):
        from .readers import BUILTIN

        return BUILTIN[name][0](suffix, first_char, record)

    def reader(record, options):
        from .readers import BUILTIN

        return BUILTIN[name][1](record, options)

    register_format(name, detector, reader)


for _name in ("openai", "library", "seer"):  # detection order
    _register_builtin_format(_name)
