"""Answer drafter: turns each ``QuestionFrame`` into streamed ``SuggestionFrame``s.

Sits after the question detector. For each question it emits every option (concise, story,
deep_dive), each as delta chunks and then a ``done`` frame with the whole text, word count
and speaking time.

- ``tentative`` question (interim text): if it confidently matches a prepared question, the
  prepared drafts are shown at once (``source="prepared"``) — often before the interviewer
  has finished; otherwise the offline composer drafts the interim text at once (extra
  ``tentative: true``). Decision: the final transcript comes ~0.5-1 s after the last word
  (VAD pause + decode), so waiting for it alone cannot put a draft on the page within the
  target; a composer draft costs milliseconds and no provider call, and is replaced if the
  final text differs.
- ``confirmed`` question: if the drafts already shown were made for the same words (or the
  same prepared question, near-identical wording), they stay; otherwise fresh drafts replace
  them: from the cache, else the LLM (when configured;
  fallback to the composer with a ``status`` event ``llm_fallback`` if it fails or misses
  the first-token deadline), else the offline composer.
- ``withdrawn`` question: drafting for it stops, and a ``status`` event
  ``suggestions_withdrawn`` (extra ``question_id``) plus one empty ``done`` suggestion per
  option shown (extra ``withdrawn: true``) tell the page and the store to drop them.

Page contract: ``text`` is always the whole text of the option so far (``delta`` is what is
new), so a client can render ``text`` and ignore ordering subtleties. A new draft for an
option that already has one starts with extra ``replaces: true``: the client clears the
option first. ``extra.prepared_question`` / ``extra.match`` say which prepared question was
matched and how well.

Decision: drafting runs in a task per question so the pipeline (and the transcript) never
waits for it; a newer draft for the same question cancels the older one.
"""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor

from loguru import logger
from pipecat.frames.frames import CancelFrame, EndFrame, Frame, StartFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from cuecard.drafting.cache import (
    DraftCache,
    InProcessDraftCache,
    draft_key,
)
from cuecard.drafting.composer import Composer
from cuecard.drafting.llm import LLMDrafter, LLMUnavailable, grounding_for
from cuecard.drafting.options import MAX_WORDS, OPTIONS, enforce_word_limit, speaking_secs, word_count
from cuecard.drafting.prepared import PreparedAnswers, PreparedMatch
from cuecard.drafting.resources import DraftingResources
from cuecard.frames import QuestionFrame, StatusFrame, SuggestionFrame
from cuecard.kinds import AnswerOption, DraftingState, QuestionStatus, SuggestionSource
from cuecard.knowledge.retrieval import warm_up as knowledge_warm_up
from cuecard.pipeline.context import SessionContext


async def _in_thread(executor: ThreadPoolExecutor, fn, *args):
    return await asyncio.get_running_loop().run_in_executor(executor, fn, *args)


# A tentative question shorter than this is not drafted: "When will you…" says nothing yet.
MIN_TENTATIVE_DRAFT_WORDS = 6


def _suggestion(
    q: QuestionFrame,
    option: AnswerOption | str,
    text: str,
    source: SuggestionSource | str,
    extra: dict,
    *,
    delta: str = "",
    done: bool = False,
) -> SuggestionFrame:
    """One suggestion event: ``text`` is the option's whole text so far."""
    return SuggestionFrame(
        question_id=q.question_id,
        option=AnswerOption(option),
        delta=delta,
        text=text,
        done=done,
        source=SuggestionSource(source),
        word_count=word_count(text),
        speaking_secs=speaking_secs(text),
        extra=extra,
    )


def subject_changed(shown: str, new: str) -> bool:
    """Whether a draft keyed ``shown`` should give way to one keyed ``new`` (keys are
    ``DraftPlan.key()``: "<type>:<subject>"). Decision: only a real change of topic replaces
    what the candidate is reading — another type, technical cards the draft does not cover yet, or
    notes where there were none. A better-matching story or playbook found in a refined
    transcript is not worth text changing under the reader (it used to swap a story six times
    after the question ended)."""
    if shown.startswith("prepared:") or new.startswith("prepared:"):
        return shown != new
    old_type, _, old_subject = shown.partition(":")
    new_type, _, new_subject = new.partition(":")
    if old_type != new_type:
        return True
    if old_subject == "none":
        return new_subject != "none"
    if old_type == "technical":
        return not set(new_subject.split("+")) <= set(old_subject.split("+"))  # something new to answer
    return False


def _chunks(text: str) -> list[str]:
    """Line-sized deltas for composer/prepared text (one labelled part per chunk)."""
    parts = re.split(r"(?<=\n)", text)
    return [p for p in parts if p]


class AnswerDrafter(FrameProcessor):
    def __init__(
        self,
        context: SessionContext,
        *,
        cache: DraftCache | None = None,
        llm: LLMDrafter | None = None,
        drafting: DraftingResources | None = None,
        **kwargs,
    ):
        """``cache``, ``llm`` and ``drafting`` (composers and prepared answers per material,
        drafting threads) are the process's, from ``Services`` (see pipeline/assembly.py);
        without them the drafter has its own in-process cache and resources and no LLM."""
        super().__init__(**kwargs)
        self.context = context
        self.cache = cache or InProcessDraftCache()
        self.llm = llm
        self.drafting = drafting or DraftingResources()
        self._prepared: PreparedAnswers | None = None
        self._composer_lock = asyncio.Lock()
        self._preparing: asyncio.Task | None = None
        self._warming: asyncio.Task | None = None
        self._tasks: dict[str, asyncio.Task] = {}
        self._shown: dict[str, dict] = {}  # question_id -> {"prepared": text|None, "options": set}
        self._texts: dict[str, str] = {}  # question_id -> latest text, for follow-ups
        self._pending: dict[str, str] = {}  # question_id -> subject key of the last tentative frame

    # --- material ------------------------------------------------------------------------------
    async def _composer(self) -> Composer:
        """The composer for the candidate's material as it is now (rebuilt after an edit)."""
        cached = self.drafting.cached_composer(self.context.candidate)
        if cached is not None:
            return cached
        async with self._composer_lock:
            return await _in_thread(self.drafting.draft_thread, self.drafting.composer_for, self.context.candidate)

    async def _prepare(self):
        try:
            started = time.monotonic()
            await _in_thread(self.drafting.prepare_thread, knowledge_warm_up)
            await self._composer()
            self._prepared = await _in_thread(
                self.drafting.prepare_thread, self.drafting.prepared_for, self.context.candidate
            )
            logger.info(
                f"Prepared {len(self._prepared.questions)} likely questions in {time.monotonic() - started:.2f} s"
            )
        except Exception as e:  # preparation is an optimisation: drafting still works without it
            logger.exception(f"Preparing likely questions failed: {e}")

    def _prepared_match(self, text: str, final: bool = False) -> PreparedMatch | None:
        prepared = self._prepared
        if prepared is None or prepared.candidate.version_key() != self.context.candidate.version_key():
            return None  # not ready yet, or stale after an edit
        return prepared.match(text, final=final)

    # --- frames ---------------------------------------------------------------------------------
    async def process_frame(self, frame: Frame, direction: FrameDirection):
        await super().process_frame(frame, direction)
        if isinstance(frame, EndFrame):
            await self._finish_drafts()  # a replay's last question still gets its drafts
        await self.push_frame(frame, direction)  # the question reaches the page before its drafts
        if isinstance(frame, CancelFrame):
            await self._cancel_all()
        elif isinstance(frame, StartFrame):
            self._preparing = self.create_task(self._prepare(), name="prepare-answers")
            if self.llm is not None:
                self._warming = self.create_task(self.llm.warm_up(), name="llm-warm-up")
        elif isinstance(frame, QuestionFrame):
            await self._on_question(frame)

    def _draft_text(self, q: QuestionFrame) -> str:
        """What to draft for: a follow-up ("And what did you learn?") is read together with
        the question it follows, so the same story and theme are used."""
        previous = self._texts.get(q.follow_up_of or "")
        return f"{previous} {q.text}" if previous else q.text

    async def _on_question(self, q: QuestionFrame):
        if q.status == QuestionStatus.WITHDRAWN:
            self._pending.pop(q.question_id, None)
            await self._withdraw(q)
            return
        self._texts[q.question_id] = q.text
        final = q.status != QuestionStatus.TENTATIVE
        shown = self._shown.get(q.question_id) or {}
        match = self._prepared_match(q.text, final=final)
        if match:
            key = "prepared:" + match.question.text
        else:
            plan = await self._plan(q)
            if plan is None:
                return
            key = plan.key()
        if shown.get("key") == key or shown.get("key") and not subject_changed(shown["key"], key):
            llm_to_come = final and self.llm is not None and not match and shown.get("source") != SuggestionSource.LLM
            if not llm_to_come:
                return  # same subject as the draft on the page: it stays put
        if not final:
            # Stable before shown: a tentative question is drafted only when two interims in a
            # row agree on its type and subject, and a subject we have no notes on waits for
            # the final text (early words are the likeliest to be misheard or incomplete). A
            # tentative follow-up waits too: read with the question it follows, its first words
            # ("How will you name it?") plan the previous question's draft again, which then
            # sat on the new question's card until the real subject arrived (bench latency,
            # scen20 row 10: the stakeholder story under "…behind a load balancer?").
            agreed = self._pending.get(q.question_id) == key
            self._pending[q.question_id] = key
            too_short = len(q.text.split()) < MIN_TENTATIVE_DRAFT_WORDS
            if not agreed or key.endswith(":none") or too_short or q.follow_up_of:
                return
        if match:
            await self._start(q, self._show_prepared(q, match, key))
        elif final and self.llm is not None:
            await self._start(q, self._draft_then_llm(q, plan, key, composer_first=not shown))
        else:
            await self._start(q, self._draft(q, plan, key))

    async def _plan(self, q: QuestionFrame):
        try:
            composer = await self._composer()
            return await _in_thread(self.drafting.draft_thread, composer.plan, self._draft_text(q), q.type, q.topic)
        except Exception as e:
            logger.exception(f"Composer unavailable: {e}")
            await self.push_frame(
                StatusFrame(
                    state=DraftingState.DRAFTING_FAILED,
                    message=f"Could not draft an answer: {e}",
                    extra={"question_id": q.question_id},
                )
            )
            return None

    async def _finish_drafts(self, grace_secs: float = 15.0):
        if self._preparing is not None and not self._preparing.done():
            await self.cancel_task(self._preparing)
        pending = [t for t in self._tasks.values() if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=grace_secs)
        await self._cancel_all()

    async def _cancel_all(self):
        for task in [self._preparing, self._warming, *self._tasks.values()]:
            if task is not None and not task.done():
                await self.cancel_task(task)
        self._tasks.clear()

    async def cleanup(self):
        await self._cancel_all()
        await super().cleanup()

    async def _start(self, q: QuestionFrame, coroutine):
        previous = self._tasks.pop(q.question_id, None)
        if previous is not None and not previous.done():
            await self.cancel_task(previous)
        self._tasks[q.question_id] = self.create_task(coroutine, name=f"draft-{q.question_id}")

    async def _withdraw(self, q: QuestionFrame):
        task = self._tasks.pop(q.question_id, None)
        if task is not None and not task.done():
            await self.cancel_task(task)
        shown = self._shown.pop(q.question_id, None)
        await self.push_frame(
            StatusFrame(
                state=DraftingState.SUGGESTIONS_WITHDRAWN,
                message="The question was withdrawn; its drafts are hidden.",
                extra={"question_id": q.question_id},
            )
        )
        for option in sorted((shown or {}).get("options", ())):
            await self.push_frame(
                SuggestionFrame(
                    question_id=q.question_id,
                    option=option,
                    done=True,
                    source=SuggestionSource.COMPOSER,
                    extra={"withdrawn": True},
                )
            )

    # --- emitting ---------------------------------------------------------------------------------
    async def _emit_text(
        self, q: QuestionFrame, option: AnswerOption, text: str, source: SuggestionSource, extra: dict
    ):
        """One whole draft as line-sized deltas, then ``done``."""
        text = enforce_word_limit(text, MAX_WORDS)
        shown = self._shown.setdefault(q.question_id, {"prepared": None, "options": set()})
        replaces = option in shown["options"]
        shown["options"].add(option)
        so_far = ""
        for i, piece in enumerate(_chunks(text)):
            so_far += piece
            first = {"replaces": True} if replaces and i == 0 else {}
            await self.push_frame(_suggestion(q, option, so_far, source, {**extra, **first}, delta=piece))
        await self.push_frame(_suggestion(q, option, text, source, extra, done=True))

    async def _show_prepared(self, q: QuestionFrame, match: PreparedMatch, key: str):
        extra = {
            "prepared_question": match.question.text,
            "match": round(match.score, 3),
            "coverage": match.question.coverage,
            "topic": match.question.topic,
        }
        for option in OPTIONS:
            await self._emit_text(q, option, match.question.drafts[option], SuggestionSource.PREPARED, extra)
        self._shown[q.question_id].update(prepared=match.question.text, key=key, source=SuggestionSource.PREPARED)

    async def _draft(self, q: QuestionFrame, plan, key: str):
        """The composer's drafts for ``plan`` (milliseconds, no provider call)."""
        version = self.context.candidate.version_key()
        composer = await self._composer()
        text = self._draft_text(q)
        keys = {o: draft_key(text, q.type, o, version, SuggestionSource.COMPOSER) for o in OPTIONS}
        cached = {o: await self.cache.get(k) for o, k in keys.items()}
        hits = {o: entry for o, entry in cached.items() if entry}
        if len(hits) == len(keys):
            drafts = {o: hits[o]["text"] for o in OPTIONS}
        else:
            drafts = await _in_thread(
                self.drafting.draft_thread, lambda: {o: composer.render(plan, o) for o in OPTIONS}
            )
            for o in OPTIONS:
                await self.cache.set(keys[o], {"text": drafts[o], "source": SuggestionSource.COMPOSER})
        extra = {"coverage": plan.coverage, "topic": plan.topic_name}
        if plan.retrieval is not None:
            extra["cards"] = [c.id for c in plan.retrieval.cards]
        if q.status == QuestionStatus.TENTATIVE:
            extra["tentative"] = True
        for option in OPTIONS:
            await self._emit_text(q, option, drafts[option], SuggestionSource.COMPOSER, extra)
        self._shown[q.question_id].update(prepared=None, key=key, source=SuggestionSource.COMPOSER)

    async def _draft_then_llm(self, q: QuestionFrame, plan, key: str, composer_first: bool):
        """The composer's draft shows at once; the LLM's stream then replaces it in place."""
        if composer_first:
            await self._draft(q, plan, key)
        await self._draft_with_llm(q, self.context.candidate.version_key(), plan, keep_composer=composer_first)
        self._shown.setdefault(q.question_id, {"prepared": None, "options": set()}).update(
            key=key, source=SuggestionSource.LLM
        )

    async def _draft_with_llm(self, q: QuestionFrame, version: str, plan=None, keep_composer: bool = False):
        """All options stream concurrently; each falls back to the composer on its own (or
        keeps the composer's draft already on the page: ``keep_composer``)."""
        fell_back: list[str] = []
        results = await asyncio.gather(
            *(self._llm_option(q, o, version, fell_back, plan, keep_composer) for o in OPTIONS), return_exceptions=True
        )
        for option, result in zip(OPTIONS, results, strict=True):
            if isinstance(result, Exception) and not isinstance(result, asyncio.CancelledError):
                logger.exception(f"Drafting {option} failed: {result}")

    async def _llm_option(
        self,
        q: QuestionFrame,
        option: AnswerOption,
        version: str,
        fell_back: list[str],
        plan=None,
        keep_composer: bool = False,
    ):
        text_asked = self._draft_text(q)
        key = draft_key(text_asked, q.type, option, version, SuggestionSource.LLM)
        cached = await self.cache.get(key)
        if cached:
            await self._emit_text(q, option, cached["text"], SuggestionSource.LLM, {"cached": True})
            return
        llm = self.llm
        assert llm is not None, "only reached through _draft_with_llm, which runs with an LLM drafter"
        shown = self._shown.setdefault(q.question_id, {"prepared": None, "options": set()})
        text, first = "", True
        stream = llm.stream(text_asked, q.type, option, self.context.candidate, q.topic, grounding=grounding_for(plan))
        try:
            async for delta in stream:
                if word_count(text + delta) > MAX_WORDS:
                    break  # the 90-second limit: stop the provider, keep what fits
                text += delta
                replaces = first and option in shown["options"]
                shown["options"].add(option)
                extra = {"replaces": True} if replaces else {}
                await self.push_frame(_suggestion(q, option, text, SuggestionSource.LLM, extra, delta=delta))
                first = False
        except LLMUnavailable as e:
            if not fell_back:
                await self.push_frame(
                    StatusFrame(
                        state=DraftingState.LLM_FALLBACK,
                        provider=SuggestionSource.COMPOSER,
                        message=f"The language model is unavailable ({e}); showing offline drafts.",
                        extra={"question_id": q.question_id, "llm_provider": llm.provider},
                    )
                )
            fell_back.append(option)
            if keep_composer:
                return  # the composer's draft for this question is on the page already
            composer = await self._composer()
            if plan is None:
                plan = await _in_thread(self.drafting.draft_thread, composer.plan, text_asked, q.type, q.topic)
            draft = await _in_thread(self.drafting.draft_thread, composer.render, plan, option)
            await self._emit_text(
                q, option, draft, SuggestionSource.COMPOSER, {"fallback": True, "coverage": plan.coverage}
            )
            return
        except Exception as e:  # failed mid-stream: close with what the page already shows
            logger.warning(f"LLM stream for {option} broke off: {e}")
        finally:
            await stream.aclose()
        text = enforce_word_limit(text, MAX_WORDS)
        await self.push_frame(_suggestion(q, option, text, SuggestionSource.LLM, {}, done=True))
        if text:
            await self.cache.set(key, {"text": text, "source": SuggestionSource.LLM})
