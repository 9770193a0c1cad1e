"""Fixtures of the cloud-STT tests live in stt_doubles.py (imported by the tests)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
