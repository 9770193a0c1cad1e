"""What drafting shares across a process's sessions: composers and prepared answers per version
of the candidate's material (a small LRU each), and the threads drafting runs on.

One ``DraftingResources`` lives on ``Services`` (``services.drafting``) and is handed to each
session's ``AnswerDrafter``; ``Services.close`` closes it.

Decision: drafting has its own threads. The default executor is shared with other stages
(speaker embeddings, warm-ups) and a draft queued behind their work waited seconds under
load; composing takes milliseconds, so one thread for drafts and one for the slow
preparation keep a question's drafts from ever waiting behind anything but other drafts.
"""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the composer pulls in embeddings and the knowledge base: import on use
    from cuecard.drafting.composer import Composer
    from cuecard.drafting.prepared import PreparedAnswers
    from cuecard.profile.models import CandidateContext

MATERIAL_CACHE_SIZE = 16


class DraftingResources:
    def __init__(self, material_cache_size: int = MATERIAL_CACHE_SIZE):
        self.material_cache_size = material_cache_size
        self._composers: OrderedDict[str, Composer] = OrderedDict()
        self._prepared: OrderedDict[str, PreparedAnswers] = OrderedDict()
        self._draft_thread: ThreadPoolExecutor | None = None
        self._prepare_thread: ThreadPoolExecutor | None = None

    # --- threads (made on first use; ``close`` shuts them down) ----------------------------------
    @property
    def draft_thread(self) -> ThreadPoolExecutor:
        if self._draft_thread is None:
            self._draft_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cuecard-draft")
        return self._draft_thread

    @property
    def prepare_thread(self) -> ThreadPoolExecutor:
        if self._prepare_thread is None:
            self._prepare_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cuecard-prepare")
        return self._prepare_thread

    # --- material ------------------------------------------------------------------------------
    def _remember(self, table: OrderedDict, key: str, value):
        table[key] = value
        while len(table) > self.material_cache_size:
            table.popitem(last=False)
        return value

    def cached_composer(self, candidate: CandidateContext) -> Composer | None:
        """The composer for this material if one was built already (never blocks)."""
        return self._composers.get(candidate.version_key())

    def composer_for(self, candidate: CandidateContext) -> Composer:
        """The composer for this material (embeds the stories once; blocking)."""
        from cuecard.drafting.composer import Composer

        key = candidate.version_key()
        if key in self._composers:
            self._composers.move_to_end(key)
            return self._composers[key]
        return self._remember(self._composers, key, Composer(candidate))

    def prepared_for(self, candidate: CandidateContext) -> PreparedAnswers:
        """Predicted questions with their drafts for this material (seconds; blocking)."""
        from cuecard.drafting.prepared import PreparedAnswers

        key = candidate.version_key()
        if key in self._prepared:
            self._prepared.move_to_end(key)
            return self._prepared[key]
        prepared = PreparedAnswers(candidate, self.composer_for(candidate)).prepare()
        return self._remember(self._prepared, key, prepared)

    def close(self) -> None:
        """Stop the threads (queued work is dropped) and forget the material."""
        for executor in (self._draft_thread, self._prepare_thread):
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)
        self._draft_thread = self._prepare_thread = None
        self._composers.clear()
        self._prepared.clear()
