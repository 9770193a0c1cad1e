"""Answer drafting: offline composer, options with word limits, LLM streaming, prepared
answers and the draft cache. The pipeline stage is ``cuecard.processors.answer_drafter``."""
