"""The one place that knows the order of a session's stages.

    transport input → SpeechSegmenter → speech-to-text → … → EventSink → transport output

Each stage is a Pipecat ``FrameProcessor`` in ``cuecard/processors/``; stages talk only
through the frames in ``cuecard.frames``. A stage gets what it needs in its constructor: the
process-wide resources (draft cache, LLM client, STT cache, drafting threads) come from
``Services`` through ``cuecard.pipeline.factories``; nothing is looked up by name.
"""

from __future__ import annotations

import dataclasses

from pipecat.processors.frame_processor import FrameProcessor

from cuecard.pipeline import factories
from cuecard.pipeline.context import SessionContext
from cuecard.pipeline.services import Services
from cuecard.pipeline.stt_stages import LOCAL, speech_to_text_stage, streaming_first  # noqa: F401 (re-exported)
from cuecard.processors.answer_drafter import AnswerDrafter
from cuecard.processors.diarizer import SpeakerDiarizer
from cuecard.processors.event_sink import EventSink
from cuecard.processors.question_detector import DetectorParams, QuestionDetector
from cuecard.processors.speech_segmenter import SegmenterParams, SpeechSegmenter


def segmenter_params(services: Services) -> SegmenterParams:
    s = services.settings
    return SegmenterParams(
        confidence=s.vad_confidence,
        pause_secs=s.vad_pause_secs,
        stop_secs=s.vad_stop_secs,
        utterance_gap_secs=s.utterance_gap_secs,
        max_segment_secs=s.max_segment_secs,
        partial_period_secs=s.interim_period_secs,
    )


def speaker_stage(services: Services, context: SessionContext) -> SpeakerDiarizer:
    s = services.settings
    mic_multiple = context.mic_multiple_speakers
    return SpeakerDiarizer(
        threshold=s.diarize_threshold,
        mic_multiple_speakers=s.mic_multiple_speakers if mic_multiple is None else mic_multiple,
    )


def offline_view(services: Services) -> Services:
    """The same services with the speech chain limited to local Whisper (a cloud refiner
    becomes the local one): what an ``offline_only`` session's stages are built from. The
    shared caches are made first, so the view shares them."""
    factories.draft_cache(services)
    s = services.settings
    update = {"stt_providers": [LOCAL], "stt_refiner": LOCAL if s.stt_refiner not in (LOCAL, "none") else s.stt_refiner}
    return dataclasses.replace(services, settings=s.model_copy(update=update))


def drafting_stage(services: Services, context: SessionContext) -> AnswerDrafter:
    return AnswerDrafter(
        context,
        cache=factories.draft_cache(services),
        llm=None if context.offline_only else factories.llm_drafter(services),
        drafting=services.drafting,
    )


def build_stages(services: Services, sink: EventSink, *, live: bool, context: SessionContext) -> list[FrameProcessor]:
    if context.offline_only:
        services = offline_view(services)
    s = services.settings
    detector = DetectorParams.from_settings(s)
    if context.offline_only:
        detector.refiner = None  # no LLM question refinement either
    return [
        SpeechSegmenter(
            segmenter_params(services),
            clock=context.clock if live else None,
            pass_audio=streaming_first(services),
        ),
        # Speaker labels within a track; a streaming provider (Deepgram) labels speakers itself.
        *([speaker_stage(services, context)] if s.diarize and not streaming_first(services) else []),
        speech_to_text_stage(services, clock=context.clock if live else None, context=context),
        QuestionDetector(context, detector),
        drafting_stage(services, context),
        sink,
    ]
