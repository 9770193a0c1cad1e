"""Fixtures for the drafting tests."""

from __future__ import annotations

import pytest
from drafting_helpers import load_candidate

from cuecard.profile.models import CandidateContext


@pytest.fixture
def candidate() -> CandidateContext:
    return load_candidate()
