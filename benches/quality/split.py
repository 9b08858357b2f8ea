"""Deterministic tuning / held-back split of the labelled corpora (issue 9).

Usage: python3 benches/quality/split.py [CORPORA_DIR]   (default ../shared/corpora)

For each corpus, the sorted page ids are shuffled with random.Random(SEED) and the first 30%
become the held-back part: pages nobody looks at or debugs on while tuning the extractor.
Writes split-<corpus>.txt beside this script: one `id<TAB>tune|heldback` line per page.
"""
import json
import random
import sys
from pathlib import Path

SEED = 20261201
HELD_BACK = 0.30

here = Path(__file__).resolve().parent
corpora = Path(sys.argv[1]) if len(sys.argv) > 1 else here.parents[2] / "shared" / "corpora"
for name in ("readability", "trafilatura"):
    ids = sorted(json.loads((corpora / name / "ground-truth.json").read_text("utf-8")))
    shuffled = ids[:]
    random.Random(SEED).shuffle(shuffled)
    held = set(shuffled[: round(len(ids) * HELD_BACK)])
    lines = [f"{i}\t{'heldback' if i in held else 'tune'}" for i in ids]
    (here / f"split-{name}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    print(f"{name}: {len(ids)} pages, {len(held)} held back, {len(ids) - len(held)} tuning")
