"""google speech-to-text adapter."""
