"""Reading audio files for replay and evaluation: 16-bit PCM comes back sample for sample."""

import numpy as np
import soundfile as sf

from cuecard.transports.replay import float_to_pcm16, load_audio


def test_a_16_bit_file_is_read_back_exactly(tmp_path):
    rng = np.random.default_rng(7)
    samples = rng.integers(-32768, 32768, 16000, dtype=np.int32).astype(np.int16)
    samples[:8] = [0, 1, -1, 2, -2, 32767, -32768, 3]  # quiet values must not become silence
    path = tmp_path / "pcm16.wav"
    sf.write(path, samples, 16000, subtype="PCM_16")
    assert np.array_equal(load_audio(path), samples)


def test_float_samples_are_rounded_and_clipped():
    values = np.array([0.4 / 32768, 0.6 / 32768, -0.6 / 32768, 1.5, -1.5], dtype=np.float32)
    assert float_to_pcm16(values).tolist() == [0, 1, -1, 32767, -32768]
