"""Practice: how seer fills its experience pool before (and between) real questions.

Two halves, one door into the pool (:func:`seer_cli.agent.judge.admit_experience`), one gold judge
(:func:`seer_cli.agent.judge.gold_judge`):

* :mod:`.answered`: ``seer practice TASKS.jsonl``, tasks whose answers a person gave; the agent
  tries each (greedy, then varied retries), and the first verified success is admitted.
* :mod:`.generated`: ``seer practice --auto N``, tasks seer generates from the user's own files
  with golds computed by running the tools, never by the model: :mod:`.tasks` (a generated task),
  the generators :mod:`.tables` (with :mod:`.table_templates`), :mod:`.docs` and :mod:`.tools`,
  :mod:`.phrasing` (a person's wording, a second derivation, paraphrase keys), :mod:`.examples`
  (worked examples, recoveries, re-verification) and :mod:`.ledger` (what is covered).
"""

from __future__ import annotations
