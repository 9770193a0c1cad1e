"""Online speaker clustering for one track: labels that never change once shown.

Decision: centroid-based online clustering (nearest centroid by cosine; a new speaker when
the best similarity is under ``threshold``; centroids that drift together are merged), not
re-clustering the whole history. Reasons: a label shown on the page must stay the same for
the rest of the session (a re-clustering pass can swap or renumber speakers), the cost per
window is one small matrix product whatever the session length, and on the AMI dev excerpts
it did as well as offline average-linkage clustering of the same windows (measured with
``cuecard eval diarization``; offline AHC was never better by more than 0.5 DER points, and
complete linkage was much worse). KMeans(k=2) needs the number of speakers, which a panel
interview does not give us.

Short windows (< ``min_new_secs`` of speech) carry too little voice to justify a new speaker:
they join the nearest existing one. Only committed windows move centroids (a ``tentative``
segment is labelled without learning from it, its ``final`` frame commits).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class SpeakerCluster:
    label: str
    total: np.ndarray  # duration-weighted sum of unit embeddings
    seconds: float = 0.0
    aliases: list[str] = field(default_factory=list)  # labels merged into this one

    @property
    def centroid(self) -> np.ndarray:
        norm = float(np.linalg.norm(self.total))
        return self.total / norm if norm > 0 else self.total


class OnlineSpeakerClustering:
    """Assign embeddings to speakers as they come; labels are ``f"{prefix} {n}"``.

    ``first_label`` names the first speaker without a number (``"Candidate"`` on the candidate's
    own track: one voice is the normal case there; a second voice becomes ``"Candidate 2"``).
    """

    def __init__(
        self,
        prefix: str,
        *,
        first_label: str | None = None,
        threshold: float = 0.7,
        min_new_secs: float = 1.0,
        merge_threshold: float = 0.86,
        max_speakers: int = 8,
    ):
        self.prefix = prefix
        self.first_label = first_label
        self.threshold = threshold
        self.min_new_secs = min_new_secs
        self.merge_threshold = merge_threshold
        self.max_speakers = max_speakers
        self.clusters: list[SpeakerCluster] = []
        self._created = 0

    def _new_label(self) -> str:
        self._created += 1
        if self._created == 1 and self.first_label:
            return self.first_label
        return f"{self.prefix} {self._created}"

    def similarities(self, embedding: np.ndarray) -> np.ndarray:
        if not self.clusters:
            return np.zeros(0, dtype=np.float32)
        return np.stack([c.centroid for c in self.clusters]) @ embedding

    def assign(
        self, embedding: np.ndarray, weight: float = 1.0, *, commit: bool = True, speech_secs: float | None = None
    ) -> str:
        """The speaker label of one window. ``speech_secs`` (default ``weight``) is how much
        speech the evidence comes from: under ``min_new_secs`` the window may not found a new
        speaker. With ``commit`` the window also moves (or creates) its speaker's centroid."""
        speech_secs = weight if speech_secs is None else speech_secs
        sims = self.similarities(embedding)
        best = int(np.argmax(sims)) if len(sims) else -1
        is_new = best < 0 or (
            sims[best] < self.threshold
            and speech_secs >= self.min_new_secs
            and len(self.clusters) < self.max_speakers
        )
        if is_new and not commit:
            # A tentative look at a new voice: the label it will most likely get.
            return self._peek_new_label()
        if is_new:
            cluster = SpeakerCluster(self._new_label(), embedding * weight, weight)
            self.clusters.append(cluster)
            return cluster.label
        cluster = self.clusters[best]
        if commit:
            cluster.total = cluster.total + embedding * weight
            cluster.seconds += weight
            cluster = self._merge_close(cluster)
        return cluster.label

    def _peek_new_label(self) -> str:
        if self._created == 0 and self.first_label:
            return self.first_label
        return f"{self.prefix} {self._created + 1}"

    def _merge_close(self, moved: SpeakerCluster) -> SpeakerCluster:
        """Two speakers whose centroids became this similar were one voice split early (first
        windows are noisy); the older label survives so the page keeps the label it showed."""
        for other in list(self.clusters):
            if other is moved or other not in self.clusters:
                continue
            if float(moved.centroid @ other.centroid) >= self.merge_threshold:
                keep, drop = (
                    (moved, other)
                    if self.clusters.index(moved) < self.clusters.index(other)
                    else (other, moved)
                )
                keep.total = keep.total + drop.total
                keep.seconds += drop.seconds
                keep.aliases += [drop.label, *drop.aliases]
                self.clusters.remove(drop)
                moved = keep
        return moved

    def canonical(self, label: str) -> str:
        """The label a merged-away label now lives under."""
        for cluster in self.clusters:
            if label == cluster.label or label in cluster.aliases:
                return cluster.label
        return label
