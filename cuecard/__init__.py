"""Cuecard: a real-time interview copilot.

Data path of one session (each arrow is a Pipecat frame, see ``cuecard.frames``)::

    audio frame -> speech segment -> transcript -> question -> suggestion -> event
"""

__version__ = "0.1.0"
