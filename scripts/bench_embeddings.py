"""Embedding load time and per-sentence time (figures for the README).

Usage: .venv/bin/python scripts/bench_embeddings.py
"""
import time
t0 = time.perf_counter()
from cuecard.embeddings import embed, similarity, warm_up
t1 = time.perf_counter()
warm_up()
t2 = time.perf_counter()
sentences = [f"Tell me about a time you had to handle a difficult stakeholder, case {i}" for i in range(100)]
t3 = time.perf_counter()
for s in sentences:
    embed([s])
t4 = time.perf_counter()
batch = [f"Designed a data pipeline that loads {i} million events into the warehouse every day" for i in range(100)]
t5 = time.perf_counter(); embed(batch); t6 = time.perf_counter()
print(f"import {t1-t0:.3f} s; load+verify+first embed {t2-t1:.3f} s; total to ready {t2-t0:.3f} s")
print(f"one sentence per call: {(t4-t3)/100*1000:.2f} ms/sentence (100 calls)")
print(f"batch of 100: {(t6-t5)*1000:.0f} ms ({(t6-t5)/100*1000:.2f} ms/sentence)")
