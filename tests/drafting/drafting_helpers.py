"""Shared by the drafting tests: the committed scenario's candidate material."""

from __future__ import annotations

import json
from pathlib import Path

from cuecard.profile.models import CandidateContext, Job

SCENARIO = Path(__file__).resolve().parents[1] / "fixtures" / "scenario_small"


def load_candidate() -> CandidateContext:
    data = json.loads((SCENARIO / "profile.json").read_text())
    job = Job(**json.loads((SCENARIO / "job.json").read_text()))
    return CandidateContext(profile=data["profile"], stories=data["stories"], job=job)
