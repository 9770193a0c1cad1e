"""Fixtures for the drafting tests."""

from __future__ import annotations

import pytest
from drafting_helpers import load_candidate

from cuecard.drafting.resources import DraftingResources
from cuecard.profile.models import CandidateContext


@pytest.fixture
def candidate() -> CandidateContext:
    return load_candidate()


@pytest.fixture(scope="session")
def drafting() -> DraftingResources:
    """Composers and prepared answers shared by the tests, as ``Services`` shares them."""
    resources = DraftingResources()
    yield resources
    resources.close()
