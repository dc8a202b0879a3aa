"""One scripted backend for the tests that check the plumbing around the model (the loop's stop
rules, the refusal policy, self-practice's wording and derivations): it replays fixed replies,
where the real model cannot be made to say a given thing on demand."""

from __future__ import annotations

from seer_cli.backends.base import Completion


class Scripted:
    name = "scripted"
    n_ctx = 8192

    def __init__(self, replies, *, repeat_last: bool = True):
        """``repeat_last``: the last reply is given again once the others are used up (a model stuck
        on one step); else a call past the end raises, as a backend that fails would."""
        self.replies = list(replies)
        self.repeat_last = repeat_last

    def complete(self, messages, **kw) -> Completion:
        if len(self.replies) > 1 or not self.repeat_last:
            text = self.replies.pop(0)
        else:
            text = self.replies[0]
        return Completion(text=text, prompt_tokens=10, prompt_tokens_evaluated=10, completion_tokens=5, seconds=0.0)
