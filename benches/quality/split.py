#!/usr/bin/env python3
"""Held-back split of the labelled corpora (issue 9): for each corpus, shuffle the sorted page
ids with random.Random(20261201); the first 30% (rounded down) are held back and never looked
at while tuning. Writes split-<corpus>-heldout.txt and split-<corpus>-tuning.txt here.

Usage: python3 benches/quality/split.py [../shared/corpora]"""
import json
import random
import sys
from pathlib import Path

SEED = 20261201
here = Path(__file__).resolve().parent
corpora = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpora")
for name in ("readability", "trafilatura"):
    ids = sorted(json.loads((corpora / name / "ground-truth.json").read_text()))
    random.Random(SEED).shuffle(ids)
    cut = len(ids) * 30 // 100
    (here / f"split-{name}-heldout.txt").write_text("\n".join(sorted(ids[:cut])) + "\n")
    (here / f"split-{name}-tuning.txt").write_text("\n".join(sorted(ids[cut:])) + "\n")
    print(name, len(ids), "held back", cut)
