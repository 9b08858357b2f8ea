"""Body and metadata quality of `newsvault extract` on the labelled corpora of ../shared (issue 9).

A bench, not a test: it needs ../shared/corpora and ../shared/tools/extract_eval.py.

    python3 benches/quality/run.py [--bin target/release/newsvault] [--shared ../shared]
                                   [--json-out FILE]
    python3 benches/quality/run.py batch LIST OUT_DIR [--bin ...]   (the scorer's --batch-cmd)

Extracts every page of both corpora once (`newsvault extract --json`, with the page's URL when
the labels give one), then scores the tuning part, the held-back part (split-<corpus>.txt, made
by split.py with a recorded seed) and all pages with the shared scorer, and prints one table.
Besides the scorer's figures it counts refusals (records whose outcome is not `article`).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def extract_records(binary: str, pages: list[tuple[str, str, str]]) -> dict[str, dict]:
    """{id: record} for (id, html_path, url) triples: one process for all pages without a URL,
    one per page with one (--url applies to every file of a call)."""
    def run(files: list[str], url: str) -> list[dict]:
        cmd = [binary, "extract", "--json", *files] + (["--url", url] if url else [])
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
        recs = [json.loads(line) for line in out.stdout.decode("utf-8").split("\n") if line.strip()]
        if len(recs) != len(files):
            recs = [{"outcome": "error", "reason": f"exit {out.returncode}"} for _ in files]
        return recs

    records: dict[str, dict] = {}
    without_url = [(i, p) for i, p, u in pages if not u]
    for start in range(0, len(without_url), 200):
        chunk = without_url[start:start + 200]
        for (i, _), rec in zip(chunk, run([p for _, p in chunk], "")):
            records[i] = rec
    with_url = [(i, p, u) for i, p, u in pages if u]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for (i, _, _), recs in zip(with_url, pool.map(lambda t: run([t[1]], t[2]), with_url)):
            records[i] = recs[0]
    return records


def scorer_output(rec: dict) -> dict:
    """What the scorer reads: body, title, author, date (and our own outcome fields)."""
    return {
        "body": rec.get("text") or "",
        "title": rec.get("title"),
        "author": rec.get("author"),
        "date": rec.get("date"),
        "outcome": rec.get("outcome"),
        "reason": rec.get("reason"),
        "date_found": rec.get("date_found"),
    }


def batch(args: argparse.Namespace) -> int:
    pages = []
    for line in Path(args.list).read_text("utf-8").splitlines():
        if line.strip():
            i, path, url = (line.split("\t") + ["", ""])[:3]
            pages.append((i, path, url))
    out = Path(args.out_dir)
    for i, rec in extract_records(args.bin, pages).items():
        (out / f"{i}.json").write_text(json.dumps(scorer_output(rec), ensure_ascii=False), "utf-8")
    return 0


def read_split(corpus: str) -> dict[str, str]:
    split = {}
    for line in (HERE / f"split-{corpus}.txt").read_text("utf-8").splitlines():
        i, part = line.split("\t")
        split[i] = part
    return split


def score_part(shared: Path, corpus: str, ids: list[str], outputs: Path, work: Path, tokenizer: str) -> dict:
    """Runs the shared scorer on the pages `ids` (a dataset of symlinks) and reads its report."""
    root = shared / "corpora" / corpus
    truth = json.loads((root / "ground-truth.json").read_text("utf-8"))
    ds = work / "dataset"
    (ds / "html").mkdir(parents=True)
    (ds / "ground-truth.json").write_text(json.dumps({i: truth[i] for i in ids}, ensure_ascii=False), "utf-8")
    for i in ids:
        (ds / "html" / f"{i}.html").symlink_to(root / "html" / f"{i}.html")
    report = work / "report.json"
    subprocess.run([sys.executable, str(shared / "tools" / "extract_eval.py"), str(ds), "--outputs", str(outputs),
                    "--format", "json", "--tokenizer", tokenizer, "--n-bootstrap", "0", "--json-out", str(report)],
                   stdout=subprocess.DEVNULL, check=True)
    return json.loads(report.read_text("utf-8"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release" / "newsvault"))
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--json-out", help="write per-corpus, per-part figures and per-page rows as JSON")
    ap.add_argument("--save-outputs", help="keep the extracted records in DIR/<corpus>/<id>.json")
    sub = ap.add_subparsers(dest="cmd")
    b = sub.add_parser("batch")
    b.add_argument("list")
    b.add_argument("out_dir")
    args = ap.parse_args()
    if args.cmd == "batch":
        return batch(args)
    shared = Path(args.shared)
    results = {}
    header = (f"{'corpus':<12} {'part':<9} {'pages':>5} {'body F1':>7} {'prec':>5} {'recall':>6} {'with':>5} "
              f"{'without':>7} {'empty':>5} {'refused':>7} {'title':>5} {'author':>6} {'date':>5}")
    print(header)
    for corpus, tokenizer in (("readability", "zyte"), ("trafilatura", "zyte")):
        root = shared / "corpora" / corpus
        truth = json.loads((root / "ground-truth.json").read_text("utf-8"))
        pages = [(i, str(root / "html" / f"{i}.html"), (truth[i].get("url") or "")) for i in sorted(truth)]
        records = extract_records(args.bin, pages)
        with tempfile.TemporaryDirectory(prefix="nv-quality-") as tmp:
            tmp = Path(tmp)
            outputs = Path(args.save_outputs) / corpus if args.save_outputs else tmp / "outputs"
            outputs.mkdir(parents=True, exist_ok=True)
            for i, rec in records.items():
                (outputs / f"{i}.json").write_text(json.dumps(scorer_output(rec), ensure_ascii=False), "utf-8")
            split = read_split(corpus)
            for part in ("tune", "heldback", "all"):
                ids = [i for i in sorted(truth) if part == "all" or split.get(i) == part]
                rep = score_part(shared, corpus, ids, outputs, tmp / part, tokenizer)
                refused = [i for i in ids if records[i].get("outcome") != "article"]
                body, snip, meta = rep.get("body") or {}, rep.get("snippets") or {}, rep.get("meta") or {}
                fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else "-"
                acc = lambda k: fmt((meta.get(k) or {}).get("accuracy"))
                print(f"{corpus:<12} {part:<9} {len(ids):>5} {fmt(body.get('f1')):>7} {fmt(body.get('precision')):>5} "
                      f"{fmt(body.get('recall')):>6} {fmt(snip.get('with_found')):>5} {fmt(snip.get('without_found')):>7} "
                      f"{len(rep['empty']):>5} {len(refused):>7} {acc('title'):>5} {acc('author'):>6} {acc('date'):>5}")
                results[f"{corpus}/{part}"] = {
                    "pages": len(ids), "body": body, "snippets": snip, "meta": meta, "empty": rep["empty"],
                    "refused": {i: records[i].get("reason") for i in refused}, "per_page": rep.get("per_page"),
                }
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
