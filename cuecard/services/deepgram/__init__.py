"""deepgram speech-to-text adapter."""
