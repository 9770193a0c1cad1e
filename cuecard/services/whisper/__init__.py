"""Local speech-to-text with faster-whisper (CTranslate2, int8 on CPU)."""
