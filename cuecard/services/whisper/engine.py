"""faster-whisper behind two decode threads: a live lane and a background lane.

Why one live thread: on two cores, two concurrent Whisper decodes each take twice as long, so a
final segment would wait behind an interim re-decode. Live jobs are ordered by priority instead
(final > tentative > partial) and a partial nobody waits for any more is dropped.

Why refinements run in a second thread, with their own copy of the model, at the OS's idle
priority (``SCHED_IDLE``): a running decode cannot be pre-empted, and a beam-5 refinement of a
long utterance takes 1–2 s here. In the same thread it made the next question's final text wait
behind it (the slow tail of the end-of-utterance → final transcript delay). At idle priority
the kernel runs the refinement only on cycles the live lane leaves free, and stops it the moment
a live decode needs the cores. ctranslate2 runs a model on a worker thread it creates when the
model is loaded, and its OpenMP threads are created by that worker: Linux threads inherit their
creator's scheduling policy, so loading the background model from the already-idle thread is
what puts all of its threads at idle priority.

Why our own options rather than pipecat's ``WhisperSTTService``: it cannot set beam size,
threads or ``condition_on_previous_text``, and drops segments with ``no_speech_prob >= 0.4``,
which loses correctly recognised speech. We drop a result only when Whisper both thinks there
is no speech and is unsure of the text (the rule Whisper itself uses for silence).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import heapq
import itertools
import math
import os
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from loguru import logger

from cuecard.kinds import Role
from cuecard.services.whisper.weights import resolve_model

PRIORITY_FINAL = 0
PRIORITY_TENTATIVE = 1
PRIORITY_PARTIAL = 4
PRIORITY_REFINE = 6  # deferred while anyone speaks: a running decode cannot be pre-empted


def priority_for(priority: int, role: str) -> int:
    """The interviewer's speech goes first: a question's final text is what the answer
    drafts wait for. Candidate finals/tentatives come after the interviewer's (2, 3), candidate
    interims after the interviewer's (5), refinements last (6)."""
    if role == Role.INTERVIEWER or priority >= PRIORITY_REFINE:
        return priority
    return priority + (2 if priority < PRIORITY_PARTIAL else 1)


SPEECH_ACTIVE_SECS = 1.2
CONTEXT_PAD_SECS = 3.0
MAX_PROMPT_TOKENS = 223  # Whisper's previous-text prompt holds at most 223 tokens (half its 448)


@dataclass
class Transcription:
    text: str
    confidence: float  # exp(mean token log-probability), 0..1
    no_speech_prob: float
    model: str
    cached: bool = False


def pcm16_to_float(audio: bytes) -> np.ndarray:
    return np.frombuffer(audio, np.int16).astype(np.float32) / 32768.0


def _looks_looped(text: str) -> bool:
    """Whisper's repetition test: text that gzip compresses more than 2.4× is a loop."""
    if len(text) < 24:
        words = text.lower().split()
        return len(words) >= 4 and len(set(words)) == 1
    data = text.encode()
    return len(data) / len(zlib.compress(data)) > 2.4


def _undoubled(text: str) -> str:
    """ "X? X?" → "X?": the whole text said twice in a row (a prompted short-window decode)."""
    words = text.split()
    n = len(words)
    if n >= 4 and n % 2 == 0 and [w.lower() for w in words[: n // 2]] == [w.lower() for w in words[n // 2 :]]:
        return " ".join(words[: n // 2])
    return text


def lower_thread_priority() -> str:
    """Put the calling thread (and every thread it creates later) at the lowest CPU priority:
    ``SCHED_IDLE`` where the kernel allows it, else nice 19. Returns what was applied."""
    tid = threading.get_native_id()
    try:
        os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
        return "idle"
    except (AttributeError, OSError):
        pass
    try:
        os.setpriority(os.PRIO_PROCESS, tid, 19)
        return "nice 19"
    except (AttributeError, OSError):
        return "normal"


class DecodeQueue:
    """A single worker thread running jobs by priority.

    ``submit`` returns an asyncio future; ``run`` blocks the calling (non-loop) thread.
    ``background=True`` lowers the worker's own priority first (see the module docstring).
    """

    def __init__(
        self,
        name: str = "whisper-decode",
        defer: Callable[[int], bool] | None = None,
        *,
        background: bool = False,
    ):
        # ``defer(priority)`` true: leave that job queued for now (checked every 50 ms).
        self._defer = defer or (lambda priority: False)
        self._background = background
        self._heap: list = []
        self._counter = itertools.count()
        self._cv = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _put(self, priority: int, fn: Callable[[], object]) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        with self._cv:
            heapq.heappush(self._heap, (priority, next(self._counter), fn, future))
            self._cv.notify()
        return future

    def submit(self, priority: int, fn: Callable[[], object]) -> asyncio.Future:
        # Cancelling the asyncio future cancels the queued job (it is then skipped).
        return asyncio.wrap_future(self._put(priority, fn))

    def run(self, priority: int, fn: Callable[[], object]):
        return self._put(priority, fn).result()

    def _run(self):
        if self._background:
            logger.debug(f"{self._thread.name}: CPU priority {lower_thread_priority()}")
        while True:
            with self._cv:
                while not self._closed and (not self._heap or self._defer(self._heap[0][0])):
                    self._cv.wait(timeout=0.05 if self._heap else None)
                if self._closed:
                    return
                _, _, fn, future = heapq.heappop(self._heap)
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except Exception as e:  # reported to the awaiting coroutine
                future.set_exception(e)

    def close(self):
        with self._cv:
            self._closed = True
            self._cv.notify_all()


class WhisperEngine:
    """Loads a faster-whisper model once per lane and decodes 16 kHz mono segments.

    Lanes: ``live`` (finals, tentatives, interims) and ``background`` (refinements, at idle
    CPU priority with its own copy of the model, loaded on first use by its own thread).
    """

    def __init__(
        self,
        model: str = "base",
        *,
        data_dir: Path,
        compute_type: str = "int8",
        threads: int = 2,
        language: str | None = "en",
        cache_size: int = 512,
    ):
        self.model_name = model
        self._data_dir = Path(data_dir)
        self._compute_type = compute_type
        self._threads = threads
        self._language = language
        self._models: dict[str, object] = {}
        self._load_lock = threading.Lock()
        self._cache: OrderedDict[str, Transcription] = OrderedDict()
        self._cache_lock = threading.Lock()  # both lanes read and write it
        self._cache_size = cache_size
        self._last_speech = 0.0
        self.queue = DecodeQueue("whisper-live")
        self.background = DecodeQueue("whisper-background", defer=self._defer, background=True)

    @property
    def loaded(self) -> bool:
        return "live" in self._models

    @property
    def loaded_lanes(self) -> tuple[str, ...]:
        """The lanes whose model is loaded: ``live``, ``background``."""
        return tuple(self._models)

    def mark_speech(self):
        """Someone is speaking (in any session): refinements wait, finals will come soon.

        Idle priority alone keeps a refinement from delaying live decodes; waiting as well
        keeps it from competing for memory bandwidth and caches while speech is decoded."""
        self._last_speech = time.monotonic()

    def _defer(self, priority: int) -> bool:
        return priority >= PRIORITY_REFINE and time.monotonic() - self._last_speech < SPEECH_ACTIVE_SECS

    def load(self, lane: str = "live"):
        """The lane's model; the background model must be loaded by the background thread
        (its worker threads inherit that thread's idle priority)."""
        with self._load_lock:
            if lane not in self._models:
                from faster_whisper import WhisperModel

                path = resolve_model(self.model_name, self._data_dir)
                logger.info(f"Loading Whisper model {self.model_name} ({lane}) from {path}")
                self._models[lane] = WhisperModel(
                    path,
                    device="cpu",
                    compute_type=self._compute_type,
                    cpu_threads=self._threads,
                )
        return self._models[lane]

    def warm_up(self):
        """The first decode in a process is slow (allocations, kernels): pay it at start,
        in both lanes."""
        tone = (0.1 * np.sin(np.linspace(0, 2 * np.pi * 220, 16000))).astype(np.float32)
        self.transcribe(tone, beam_size=1, use_cache=False)
        self.background.run(
            PRIORITY_FINAL, lambda: self.transcribe(tone, beam_size=1, use_cache=False, lane="background")
        )

    def _key(self, audio: np.ndarray, beam_size: int, hotwords: str | None = None) -> str:
        digest = hashlib.sha1(audio.tobytes()).hexdigest()
        key = f"{self.model_name}:{self._language}:{beam_size}:{digest}"
        if hotwords:
            key += ":" + hashlib.sha1(hotwords.encode()).hexdigest()[:16]
        return key

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        beam_size: int = 1,
        prompt: str | None = None,
        hotwords: str | None = None,
        use_cache=True,
        lane: str = "live",
    ) -> Transcription:
        """Blocking decode. Identical audio with the same model, beam and hotwords is decoded
        once. ``hotwords``: names to make likelier (faster-whisper puts them in the prompt,
        before ``prompt``)."""
        key = self._key(audio, beam_size, hotwords) if use_cache and not prompt else None
        hit = self._cached(key) if key else None
        if hit is not None:
            return Transcription(hit.text, hit.confidence, hit.no_speech_prob, hit.model, True)
        model = self.load(lane)
        segments, _ = model.transcribe(
            audio,
            language=self._language,
            beam_size=beam_size,
            condition_on_previous_text=False,
            initial_prompt=prompt,
            hotwords=hotwords or None,
            vad_filter=False,
        )
        result = self._combine(list(segments))
        if key:
            self._remember(key, result)
        return result

    def transcribe_live(self, audio: np.ndarray, *, beam_size: int = 1, hotwords: str | None = None) -> Transcription:
        """The live decode of a segment of at most ~25 s.

        faster-whisper's ``transcribe`` always runs the encoder on a 30 s window, most of the
        fixed cost of a call. Here the encoder sees the segment plus ``CONTEXT_PAD_SECS`` of
        silence (measured on LibriSpeech dev: with a 3 s pad WER matches the 30 s window, with
        1 s it degrades badly), decoding keeps Whisper's timestamp mode (without it WER rises
        from ~5 % to ~8 %), and there is no temperature fallback (slow outliers).

        ``hotwords`` go before ``<|startoftranscript|>`` as Whisper's previous-text prompt
        (``<|startofprev|>``), as faster-whisper does: names said there become likelier. With
        a prompt and the short window Whisper sometimes writes the sentence twice (it cannot
        see where the audio ends): an exact repetition is cut (``_undoubled``).
        """
        import ctranslate2

        key = self._key(audio, -beam_size, hotwords)
        hit = self._cached(key)
        if hit is not None:
            return hit
        model = self.load()
        features = model.feature_extractor(audio)
        frames = min(3000, features.shape[-1] + int(CONTEXT_PAD_SECS * 100))
        frames += frames % 2
        features = np.pad(features, ((0, 0), (0, max(0, frames - features.shape[-1]))))[:, :frames]
        encoded = model.model.encode(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None], np.float32))
        )
        tok = model.hf_tokenizer
        prompt = [
            tok.token_to_id("<|startoftranscript|>"),
            tok.token_to_id(f"<|{self._language or 'en'}|>"),
            tok.token_to_id("<|transcribe|>"),
        ]
        if hotwords:
            words = tok.encode(" " + hotwords.strip(), add_special_tokens=False).ids[:MAX_PROMPT_TOKENS]
            prompt = [tok.token_to_id("<|startofprev|>"), *words, *prompt]
        # Nobody says more than ~6 tokens a second (+ timestamp tokens): a longer output is a
        # decoding loop, so cap it rather than let it run to 224 tokens. ctranslate2 counts the
        # prompt in ``max_length``: hotwords add their own length (without that, a 64-token
        # prompt left "How does" of a 6 s question).
        max_length = min(224, int(16 + 9 * len(audio) / 16000)) + len(prompt) - 3

        def generate(beam: int, **options) -> tuple[str, float, float]:
            result = model.model.generate(
                encoded,
                [prompt],
                beam_size=beam,
                max_length=max_length,
                return_scores=True,
                return_no_speech_prob=True,
                suppress_blank=True,
                suppress_tokens=[-1],
                **options,
            )[0]
            eot = tok.token_to_id("<|endoftext|>")
            ids = [t for t in result.sequences_ids[0] if t < eot]  # drops timestamp tokens too
            n = max(len(result.sequences_ids[0]), 1)
            logprob = result.scores[0] / n if result.scores else -5.0
            text = tok.decode(ids).strip()
            return (_undoubled(text) if hotwords else text), logprob, result.no_speech_prob

        def doubtful(text: str, logprob: float, no_speech: float) -> bool:
            # Whisper's own quality rules: compression ratio, log-probability.
            return _looks_looped(text) or logprob < -1.0 and no_speech < 0.6

        text, logprob, no_speech = generate(beam_size)
        if doubtful(text, logprob, no_speech):
            # A loop ("Peter C C C C…"): a wider beam with a repetition penalty, on the same
            # encoder output, gets out of it in ~0.2 s (checked on the loops the latency bench
            # hit), where the full-window decode below takes ~0.6 s. A truncated decode (low
            # log-probability: "Easy" for "Easy going.") needs the full window.
            text, logprob, no_speech = generate(max(beam_size, 5), repetition_penalty=1.3)
        if doubtful(text, logprob, no_speech):
            out = self.transcribe(audio, beam_size=max(beam_size, 1), hotwords=hotwords)
        else:
            if no_speech > 0.6 and logprob < -1.0:
                text = ""  # Whisper's own silence rule
            out = Transcription(text, min(math.exp(logprob), 1.0), no_speech, self.model_name)
        self._remember(key, out)
        return out

    def _cached(self, key: str) -> Transcription | None:
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    def _remember(self, key: str, result: Transcription):
        with self._cache_lock:
            self._cache[key] = result
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _combine(self, segments) -> Transcription:
        kept, logprob_sum, token_count, no_speech = [], 0.0, 0, 0.0
        for seg in segments:
            # Whisper's own silence rule: both "no speech" and an unsure decode.
            if seg.no_speech_prob > 0.6 and seg.avg_logprob < -1.0:
                continue
            text = seg.text.strip()
            if not text:
                continue
            kept.append(text)
            n = max(len(seg.tokens), 1)
            logprob_sum += seg.avg_logprob * n
            token_count += n
            no_speech = max(no_speech, seg.no_speech_prob)
        confidence = math.exp(logprob_sum / token_count) if token_count else 0.0
        return Transcription(" ".join(kept).strip(), confidence, no_speech, self.model_name)

    async def decode(
        self,
        audio: bytes,
        *,
        priority: int,
        beam_size: int = 1,
        prompt: str | None = None,
        live: bool = False,
        hotwords: str | None = None,
    ) -> Transcription:
        """Decode in a decode thread: refinements (``PRIORITY_REFINE``) in the background lane,
        everything else in the live lane; ``live`` uses the short-window decode. ``hotwords``:
        names to make likelier (the interviewer's session vocabulary)."""
        samples = pcm16_to_float(audio)
        if priority >= PRIORITY_REFINE:
            return await self.background.submit(
                priority,
                lambda: self.transcribe(
                    samples, beam_size=beam_size, prompt=prompt, hotwords=hotwords, lane="background"
                ),
            )
        if live:
            return await self.queue.submit(
                priority, lambda: self.transcribe_live(samples, beam_size=beam_size, hotwords=hotwords)
            )
        return await self.queue.submit(
            priority, lambda: self.transcribe(samples, beam_size=beam_size, prompt=prompt, hotwords=hotwords)
        )

    def close(self):
        self.queue.close()
        self.background.close()


_shared: dict[tuple, WhisperEngine] = {}


def shared_engine(model: str, data_dir: Path, compute_type: str, threads: int, language: str):
    """One engine per process and model: sessions share the weights and the decode thread."""
    # The data dir matters only for "base", whose weights are joined into it; any other model
    # name or path is the same model whatever the data dir (tests use many data dirs).
    where = str(data_dir) if model == "base" else ""
    key = (model, where, compute_type, threads, language)
    if key not in _shared:
        _shared[key] = WhisperEngine(
            model, data_dir=data_dir, compute_type=compute_type, threads=threads, language=language
        )
    return _shared[key]
