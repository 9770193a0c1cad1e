"""Offline knowledge base: concept cards, retrieval and jargon snapping."""
