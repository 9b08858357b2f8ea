#!/usr/bin/env python3
"""Title / author / date accuracy of `newsvault extract --json` on the labelled corpora, split
into the tuning part and the held-back part (split.py), with the scorer's own matching rules
(../shared/tools/extract_eval.py). A page the extractor refuses counts as a miss in "all";
"accepted" counts only the pages it archived.

Usage: python3 benches/quality/meta_eval.py --bin BINARY
           [--shared ../shared] [--misses FIELD] [--corpus NAME]
`--misses` lists the misses of the TUNING part only (never the held-back part)."""
import argparse
import concurrent.futures
import json
import subprocess
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True, help="the newsvault binary (copy it out of a shared target dir)")
ap.add_argument("--shared", default="/work/shared")
ap.add_argument("--misses", choices=["title", "author", "date"])
ap.add_argument("--corpus", choices=["readability", "trafilatura"])
ap.add_argument("--jobs", type=int, default=2)
ap.add_argument("--dump", help="write the extractor's records to DUMP-<corpus>.json")
args = ap.parse_args()
sys.path.insert(0, str(Path(args.shared) / "tools"))
import extract_eval as ev  # noqa: E402


def run(path: Path) -> dict:
    p = subprocess.run([args.bin, "extract", "--json", str(path)], capture_output=True, text=True)
    try:
        return json.loads(p.stdout.splitlines()[0])
    except (IndexError, json.JSONDecodeError):
        return {"outcome": "error", "reason": p.stderr[-200:]}


def hit(field: str, truth: dict, out: dict):
    t = ev.label_or_none(truth.get(field))
    if t is None:
        return None
    if field == "title":
        return ev.norm_text(t) == ev.norm_text(out.get("title"))
    if field == "author":
        ts = ev.author_set(t)
        return None if not ts else ts == ev.author_set(out.get("author"))
    if ev.parse_date(t) is None:
        return None
    return ev.date_match(t, out.get("date"))


for corpus in [args.corpus] if args.corpus else ["readability", "trafilatura"]:
    root = Path(args.shared) / "corpora" / corpus
    truth = json.loads((root / "ground-truth.json").read_text())
    held = set((here / f"split-{corpus}-heldout.txt").read_text().split())
    ids = sorted(truth)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        outs = dict(zip(ids, pool.map(lambda i: run(root / "html" / f"{i}.html"), ids)))
    if args.dump:
        Path(f"{args.dump}-{corpus}.json").write_text(json.dumps(outs))
    refused = {i for i in ids if outs[i].get("outcome") != "article"}
    print(f"\n{corpus}: {len(ids)} pages, refused {len(refused)} "
          f"(tuning {len(refused - held)}, held back {len(refused & held)})")
    print(f"{'part':10} {'pages':>7} {'field':7} {'all':>14} {'accepted':>14}")
    for part, members in (("tuning", set(ids) - held), ("held-back", held)):
        for field in ("title", "author", "date"):
            rows = [(i, hit(field, truth[i], outs[i])) for i in sorted(members)]
            rows = [(i, h) for i, h in rows if h is not None]
            acc = [(i, h) for i, h in rows if i not in refused]
            fmt = lambda r: f"{sum(h for _, h in r) / max(len(r), 1):.3f} ({len(r):3})"
            print(f"{part:10} {len(members):7} {field:7} {fmt(rows):>14} {fmt(acc):>14}")
            if args.misses == field and part == "tuning":
                for i, h in rows:
                    if not h:
                        o = outs[i]
                        print(f"   MISS {i}: want {truth[i].get(field)!r} got {o.get(field)!r}"
                              + ("" if i not in refused else f" [refused: {o.get('reason')}]"))
