"""Copies the committed CI sample of both corpora into tests/fixtures/corpus (issue 9).

Usage: python3 benches/quality/sample.py [CORPORA_DIR]   (default ../shared/corpora)

Pages are drawn at random with a recorded seed from the whole corpus (not picked by score, nor
by part of the split): 30 from readability, 40 from trafilatura. Each page is stored gzipped
(`<id>.html.gz`, bytes as in the corpus) and its labels go to `labels.json`. tests/corpus.rs
scores them and compares with `floor.json`.
"""
import gzip
import json
import random
import sys
from pathlib import Path

SEED = 20261202
SIZES = {"readability": 30, "trafilatura": 40}

here = Path(__file__).resolve().parent
repo = here.parents[1]
corpora = Path(sys.argv[1]) if len(sys.argv) > 1 else repo.parent / "shared" / "corpora"
out_root = repo / "tests" / "fixtures" / "corpus"
for name, size in SIZES.items():
    truth = json.loads((corpora / name / "ground-truth.json").read_text("utf-8"))
    ids = sorted(random.Random(f"{SEED}-{name}").sample(sorted(truth), size))
    out = out_root / name
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.html.gz"):
        old.unlink()
    labels = {}
    for i in ids:
        raw = (corpora / name / "html" / f"{i}.html").read_bytes()
        (out / f"{i}.html.gz").write_bytes(gzip.compress(raw, 9, mtime=0))
        labels[i] = {k: v for k, v in truth[i].items() if k != "synthetic"}
    (out / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1, sort_keys=True) + "\n", "utf-8")
    print(f"{name}: {len(ids)} pages")
