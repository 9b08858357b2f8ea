"""trafilatura over the quality suite's pages, for benches/generic.rs: pages/s and peak RSS.

Usage: python3 benches/generic.py SECONDS PAGE...  (prints one line: pages=N seconds=S peak_kb=K)
"""
import resource
import sys
import time

import trafilatura

seconds = float(sys.argv[1])
pages = [open(p, "rb").read() for p in sys.argv[2:]]
for html in pages:  # warm-up
    trafilatura.bare_extraction(html, with_metadata=True)
done = 0
start = time.perf_counter()
while time.perf_counter() - start < seconds:
    for html in pages:
        trafilatura.bare_extraction(html, with_metadata=True)
        done += 1
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"pages={done} seconds={elapsed:.3f} peak_kb={peak}")
