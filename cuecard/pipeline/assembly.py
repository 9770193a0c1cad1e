"""The one place that knows the order of a session's stages.

    transport input → SpeechSegmenter → speech-to-text → … → EventSink → transport output

Each stage is a Pipecat ``FrameProcessor`` in ``cuecard/processors/``; stages talk only
through the frames in ``cuecard.frames``. A stage gets what it needs in its constructor: the
process-wide resources (draft cache, LLM client, STT cache, drafting threads) come from
``Services`` through ``cuecard.pipeline.factories``; nothing is looked up by name.
"""

from __future__ import annotations

from pipecat.processors.frame_processor import FrameProcessor

from cuecard.pipeline import factories
from cuecard.pipeline.context import SessionContext
from cuecard.pipeline.services import Services
from cuecard.pipeline.stt_stages import speech_to_text_stage, streaming_first  # noqa: F401 (re-exported)
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


def drafting_stage(services: Services, context: SessionContext) -> AnswerDrafter:
    return AnswerDrafter(
        context,
        cache=factories.draft_cache(services),
        llm=factories.llm_drafter(services),
        drafting=services.drafting,
    )


def build_stages(services: Services, sink: EventSink, *, live: bool, context: SessionContext) -> list[FrameProcessor]:
    s = services.settings
    return [
        SpeechSegmenter(
            segmenter_params(services),
            clock=context.clock if live else None,
            pass_audio=streaming_first(services),
        ),
        # Speaker labels within a track; a streaming provider (Deepgram) labels speakers itself.
        *([speaker_stage(services, context)] if s.diarize and not streaming_first(services) else []),
        speech_to_text_stage(services, clock=context.clock if live else None, context=context),
        QuestionDetector(context, DetectorParams.from_settings(s)),
        drafting_stage(services, context),
        sink,
    ]
