"""openai speech-to-text adapter."""
