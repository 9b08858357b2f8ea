"""Issue 10's table, side by side in one run: newsvault against the Python peers.

Run through `cargo bench --bench speed` (which passes the newsvault binary), or directly:

    python3 benches/speed.py --newsvault target/release/newsvault [--before OLD_BINARY]
        [--rows extract,e2e,scale,nested] [--rounds N] [--articles N]

Rows:
  extract  generic extraction of saved news pages, one process each: `newsvault extract --json`
           over all pages vs trafilatura (bare_extraction with metadata) over the same files;
           pages/s and peak RSS.
  e2e      a feed of N local article pages served from 127.0.0.1 (fetch + extract + store,
           4 requests at a time; newsvault's articles in progress at their defaults): `newsvault daemon` and `newsvault archive URL...` vs a Diffengine-style
           Python pipeline (feedparser, requests, trafilatura, SQLite synchronous=FULL) with
           4 threads and with 4 processes; articles/s, peak RSS, fsyncs per article, URLs
           fetched more than once.
  scale    `newsvault archive` of 10,000 vs 100 URLs, and vs one URL per saved page: peak RSS.
  nested   `newsvault extract --json` of an article page whose body sits inside 100,000 nested
           elements (`<div>`, `<section>`, `<span>`, `<p>`, `<table>`): seconds and peak RSS
           each (goal: under 1 s).

Pages: /work/shared/corpora/readability/html and /work/shared/fixtures/zh when present (the
saved real pages of the issue), else tests/fixtures/quality/pages. trafilatura, feedparser and
requests are installed with pip when missing; a row whose peer cannot run says so.
"""

import argparse
import glob
import http.server
import multiprocessing
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def page_files():
    shared = sorted(glob.glob("/work/shared/corpora/readability/html/*.html")) + sorted(
        glob.glob("/work/shared/fixtures/zh/*.html")
    )
    if shared:
        return shared, "readability corpus + shared zh fixtures"
    return sorted(glob.glob(os.path.join(REPO, "tests/fixtures/quality/pages/*.html"))), (
        "tests/fixtures/quality/pages"
    )


def ensure_python_peers():
    try:
        import feedparser  # noqa: F401
        import requests  # noqa: F401
        import trafilatura  # noqa: F401

        return True
    except ImportError:
        print("installing trafilatura, feedparser, requests with pip ...", flush=True)
        ok = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "trafilatura",
             "lxml_html_clean", "feedparser", "requests"],
        ).returncode == 0
        return ok


# GNU time reports the peak RSS of the command alone. Without it the figure is wait4's, which
# also counts this Python process's memory, copied into the child before exec (a floor of
# 100 MB or more once trafilatura is loaded).
GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def measured(cmd, env=None, stdout=subprocess.DEVNULL, until=None, stderr=subprocess.DEVNULL):
    """Runs cmd; returns (seconds, peak RSS KB of the process, exit status). `until` (a
    function of the Popen) may end it early: it returns the seconds at which the work was done."""
    peak_file = tempfile.mktemp(suffix=".peak") if GNU_TIME else None
    if peak_file:
        cmd = [GNU_TIME, "-f", "%M", "-o", peak_file] + cmd
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, env=env)
    done_at = until(proc) if until else None
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = done_at if done_at is not None else time.perf_counter() - start
    kb = usage.ru_maxrss
    if peak_file:
        try:
            with open(peak_file) as f:
                kb = int(f.read().split()[-1])
            os.unlink(peak_file)
        except (OSError, ValueError, IndexError):
            pass
    return seconds, kb, status


def checked(cmd, **kw):
    """measured(), but a run that fails is reported and counted as taking forever."""
    log = tempfile.TemporaryFile()
    seconds, kb, status = measured(cmd, stdout=log, stderr=log, **kw)
    if status != 0:
        log.seek(0)
        tail = log.read().decode(errors="replace")[-600:]
        print(f"  FAILED ({status}): {' '.join(cmd[:4])} ...\n{tail}", flush=True)
        return float("inf"), kb, status
    return seconds, kb, status


def fsyncs(cmd, env=None, until=None):
    """How many fsync/fdatasync calls cmd makes (strace -f -c), or None without strace."""
    if not shutil_which("strace"):
        return None
    out = tempfile.mktemp(suffix=".strace")
    measured(["strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", out] + cmd, env, until=until)
    total = 0
    with open(out) as f:
        for line in f:
            parts = line.split()
            if parts and parts[-1] in ("fsync", "fdatasync"):
                total += int(parts[3])
    os.unlink(out)
    return total


def shutil_which(name):
    import shutil

    return shutil.which(name)


# ---- row 1: extraction ----


def trafilatura_child(files):
    import trafilatura

    for path in files:
        with open(path, "rb") as f:
            trafilatura.bare_extraction(f.read(), with_metadata=True)


def row_extract(binaries, rounds, python_ok):
    files, which = page_files()
    size = sum(os.path.getsize(f) for f in files)
    print(f"\n## generic extraction: {len(files)} pages ({size / 1e6:.1f} MB), {which}")
    results = {name: [] for name in list(binaries) + ["trafilatura"]}
    for r in range(rounds):
        for name, binary in binaries.items():
            s, kb, _ = measured([binary, "extract", "--json"] + files)
            results[name].append((s, kb))
        if python_ok:
            s, kb, _ = measured([sys.executable, __file__, "--trafilatura-child"] + files)
            results["trafilatura"].append((s, kb))
    report(results, len(files), "pages")


def report(results, count, unit, baseline="trafilatura"):
    best = {}
    for name, runs in results.items():
        if not runs:
            continue
        secs = [s for s, _ in runs]
        kbs = [kb for _, kb in runs]
        rates = sorted(count / s for s in secs)
        best[name] = max(rates)
        print(
            f"  {name:<24} {min(rates):8.1f}-{max(rates):8.1f} {unit}/s  "
            f"({statistics.median(secs):.2f} s median), peak RSS {max(kbs) / 1024:.0f} MB"
        )
    if baseline in best:
        for name, rate in best.items():
            if name != baseline:
                print(f"  ratio {name} / {baseline}: {rate / best[baseline]:.1f}x (best rounds)")


# ---- row 2: end to end ----


class Site:
    """Serves N article pages (saved real pages, each made unique) and an RSS feed of them."""

    def __init__(self, articles):
        files, _ = page_files()
        self.bodies = [open(f, "rb").read() for f in files]
        self.articles = articles
        self.hits = {}
        self.lock = threading.Lock()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # As any real server does (nginx's tcp_nodelay): the headers and the body go out
            # in two writes, and with Nagle on, the body waited for the client's delayed ACK,
            # about 17 ms a request, which capped this server at ~230 pages/s on 4 connections
            # (4,300 with it off) and bounded whichever client was fastest.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/feed.xml":
                    body = site.feed().encode()
                    ctype = "application/rss+xml"
                elif self.path.startswith("/news/"):
                    i = int(re.sub(r"\D", "", self.path) or 0)
                    with site.lock:
                        site.hits[self.path] = site.hits.get(self.path, 0) + 1
                    body = site.bodies[i % len(site.bodies)] + f"\n<!-- article {i} -->".encode()
                    ctype = "text/html"
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, i):
        return f"http://127.0.0.1:{self.port}/news/{i:06d}.html"

    def feed(self):
        items = "".join(
            f"<item><title>a{i}</title><link>{self.url(i)}</link></item>"
            for i in range(self.articles)
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'

    def twice(self):
        with self.lock:
            n = sum(1 for v in self.hits.values() if v > 1)
            self.hits.clear()
        return n


def newsvault_config(dirname, site, port_feed=True):
    db = os.path.join(dirname, "archive.db")
    path = os.path.join(dirname, "newsvault.toml")
    with open(path, "w") as f:
        f.write(
            # Images off: the peer fetches none, and the saved pages' images are on hosts
            # that the bench must not reach (each would wait for its robots.txt to time out).
            f'[archive]\npath = "{db}"\nimages = false\n'
            # Four requests at once, as the peer's four workers make; how many articles are
            # in progress (fetched, extracted or committing) is left at the defaults.
            '[fetch]\nallow_private_hosts = ["127.0.0.1"]\nper_host_interval = "0s"\nper_host_concurrency = 4\n'
            '[daemon]\nserve = false\nshutdown_grace = "5s"\n'
        )
        if port_feed:
            f.write(
                f'[[sources]]\nname = "bench"\nkind = "feed"\n'
                f'url = "http://127.0.0.1:{site.port}/feed.xml"\ninterval = "1h"\n'
            )
    return path, db


def wait_queue(db, articles):
    def until(proc):
        start = time.perf_counter()
        while True:
            time.sleep(0.05)
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                n = con.execute("SELECT count(*) FROM queue WHERE state <> 'pending'").fetchone()[0]
                con.close()
            except sqlite3.Error:
                n = 0
            if n >= articles or time.perf_counter() - start > 600:
                done = time.perf_counter() - start
                stop(proc)
                return done

    return until


def stop(proc):
    """SIGTERM to the daemon: the process itself, or the one GNU time or strace runs."""
    pid = proc.pid
    while True:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            program = os.path.basename(f.read().split(b"\0")[0]).decode()
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = f.read().split()
        if program not in ("time", "strace") or not children:
            break
        pid = int(children[0])
    os.kill(pid, signal.SIGTERM)


def run_daemon(binary, site, articles, trace=False):
    with tempfile.TemporaryDirectory() as d:
        config, db = newsvault_config(d, site)
        cmd = [binary, "--config", config, "daemon"]
        if trace:
            return fsyncs(cmd, until=wait_queue(db, articles))
        return measured(cmd, until=wait_queue(db, articles))


def run_archive(binary, site, articles, trace=False):
    with tempfile.TemporaryDirectory() as d:
        config, _ = newsvault_config(d, site, port_feed=False)
        cmd = [binary, "--config", config, "archive"] + [site.url(i) for i in range(articles)]
        if trace:
            return fsyncs(cmd)
        return measured(cmd)


def run_peer(site, articles, mode):
    with tempfile.TemporaryDirectory() as d:
        return checked(
            [sys.executable, __file__, "--peer", mode, f"http://127.0.0.1:{site.port}/feed.xml",
             os.path.join(d, "peer.db")]
        )


def row_e2e(binaries, rounds, articles, python_ok, count_fsyncs=True):
    site = Site(articles)
    sizes = sorted(len(b) for b in site.bodies)
    print(
        f"\n## end to end: feed of {articles} local article pages (median {statistics.median(sizes) / 1e3:.0f} KB), "
        "fetch + extract + store, 4 requests at a time"
    )
    results = {}
    twice = {}
    for r in range(rounds):
        for name, binary in binaries.items():
            for what, run in (("daemon", run_daemon), ("archive", run_archive)):
                key = f"{name} {what}"
                results.setdefault(key, []).append(run(binary, site, articles)[:2])
                twice[key] = twice.get(key, 0) + site.twice()
        if python_ok:
            for mode in ("threads", "processes"):
                key = f"python 4 {mode}"
                results.setdefault(key, []).append(run_peer(site, articles, mode)[:2])
                site.twice()
    peer = max(
        (k for k in results if k.startswith("python")),
        key=lambda k: max(articles / s for s, _ in results[k]),
        default=None,
    )
    report(results, articles, "articles", baseline=peer or "")
    for key, n in twice.items():
        print(f"  {key}: {n} URL(s) fetched more than once over {rounds} round(s)")
    for name, binary in binaries.items() if count_fsyncs else ():
        for what, run in (("daemon", run_daemon), ("archive", run_archive)):
            n = run(binary, site, articles, trace=True)
            site.twice()
            if n is not None:
                print(f"  {name} {what}: {n} fsync/fdatasync calls, {n / articles:.2f} per article")


def row_scale(binaries):
    site = Site(10_000)
    # The site serves the pages in turn: the first 100 URLs miss the largest pages, so the
    # memory of 10,000 URLs is also set against one URL per page.
    every_page = len(site.bodies)
    print("\n## `archive` of many URLs: peak RSS")
    for name, binary in binaries.items():
        peaks = {}
        for n in (100, every_page, 10_000):
            s, kb, _ = run_archive(binary, site, n)
            peaks[n] = kb
            print(f"  {name} archive {n:>6} URLs: {s:6.1f} s, peak RSS {kb / 1024:.0f} MB")
        for n in (100, every_page):
            print(f"  {name}: 10,000 URLs take {peaks[10_000] / peaks[n]:.2f}x the memory of {n}")


def nested_page(tag, depth):
    para = "<p>The council met on Tuesday, and after a long debate, it voted to keep the library open.</p>"
    return (
        "<html><head><title>Deep - Example</title></head><body><h1>Deep</h1>"
        + f"<{tag}>" * depth + para * 3 + f"</{tag}>" * depth + "</body></html>"
    )


def row_nested(binaries, depth=100_000):
    print(f"\n## {depth:,} nested elements: `extract --json` of one page")
    with tempfile.TemporaryDirectory() as tmp:
        for tag in ("div", "section", "span", "p", "table"):
            path = os.path.join(tmp, f"nested-{tag}.html")
            with open(path, "w") as f:
                f.write(nested_page(tag, depth))
            for name, binary in binaries.items():
                s, kb, _ = measured(["timeout", "120", binary, "extract", "--json", path])
                print(f"  {name:<24} <{tag}>: {s:6.2f} s, peak RSS {kb / 1024:.0f} MB")


# ---- the Python peer: Diffengine-style ----


def peer_store(db):
    con = sqlite3.connect(db, timeout=30)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute(
        "CREATE TABLE IF NOT EXISTS entry (url TEXT PRIMARY KEY, title TEXT, text TEXT, html BLOB, fetched TEXT)"
    )
    con.commit()
    return con


def peer_article(session, con, url, lock=None):
    import trafilatura

    html = session.get(url, timeout=30).content
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True)
    except Exception as e:  # a page trafilatura cannot read is stored without text
        print(f"trafilatura failed on {url}: {e}", file=sys.stderr)
        doc = None
    title = getattr(doc, "title", None) if doc is not None else None
    text = getattr(doc, "text", None) if doc is not None else None
    if lock:
        lock.acquire()
    try:
        con.execute(
            "INSERT OR REPLACE INTO entry VALUES (?, ?, ?, ?, datetime('now'))",
            (url, title, text, html),
        )
        con.commit()
    finally:
        if lock:
            lock.release()


_worker = {}


def peer_worker_init(db):
    import requests

    _worker["session"] = requests.Session()
    _worker["con"] = peer_store(db)


def peer_worker(url):
    peer_article(_worker["session"], _worker["con"], url)


def peer(mode, feed_url, db):
    import feedparser
    import requests

    urls = [e.link for e in feedparser.parse(requests.get(feed_url, timeout=30).content).entries]
    peer_store(db).close()
    if mode == "threads":
        from concurrent.futures import ThreadPoolExecutor

        con = sqlite3.connect(db, timeout=30, check_same_thread=False)
        con.execute("PRAGMA synchronous=FULL")
        lock = threading.Lock()
        local = threading.local()

        def one(url):
            if not hasattr(local, "session"):
                local.session = requests.Session()
            peer_article(local.session, con, url, lock)

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(one, urls))
    else:
        with multiprocessing.Pool(4, initializer=peer_worker_init, initargs=(db,)) as pool:
            pool.map(peer_worker, urls, chunksize=8)
    stored = sqlite3.connect(db).execute("SELECT count(*) FROM entry").fetchone()[0]
    if stored != len(urls):
        sys.exit(f"the {mode} peer stored {stored} of {len(urls)} articles")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--trafilatura-child":
        return trafilatura_child(sys.argv[2:])
    if len(sys.argv) > 1 and sys.argv[1] == "--peer":
        return peer(*sys.argv[2:5])
    ap = argparse.ArgumentParser()
    ap.add_argument("--newsvault", required=True)
    ap.add_argument("--before", help="an older newsvault binary, measured alongside")
    ap.add_argument("--rows", default="extract,e2e,scale,nested")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the extraction row")
    ap.add_argument("--e2e-rounds", type=int, default=1, help="rounds of the end-to-end row")
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--no-fsync-count", action="store_true", help="skip the strace runs")
    args = ap.parse_args()
    binaries = {"newsvault": args.newsvault}
    if args.before:
        binaries = {"newsvault-before": args.before, "newsvault": args.newsvault}
    python_ok = ensure_python_peers()
    if not python_ok:
        print("the Python peers could not be installed: their rows are skipped")
    rows = args.rows.split(",")
    if "extract" in rows:
        row_extract(binaries, args.rounds, python_ok)
    if "e2e" in rows:
        row_e2e(binaries, args.e2e_rounds, args.articles, python_ok, not args.no_fsync_count)
    if "scale" in rows:
        row_scale(binaries)
    if "nested" in rows:
        row_nested(binaries)


if __name__ == "__main__":
    main()
