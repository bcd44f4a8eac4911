"""How long the HTML map takes to write and to draw in headless Chromium.

    python benchmarks/map_bench.py                 # synthetic seed-size (300) and 2,000-node maps
    python benchmarks/map_bench.py --graph output  # also the map of a built graph
    python benchmarks/map_bench.py --runs 5

"write" is the Python side (selection, communities, layout, page); "draw" is
navigation start → network first drawn on the canvas, measured by the page
(``performance.now()``), and "wall" the same seen from Python over the DevTools
pipe.  Physics is off (positions are computed in Python), so once drawn the map
has settled: nothing moves afterwards.  Medians of ``--runs`` loads.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.view.browser import Chromium, find_chromium  # noqa: E402
from kg.view.map import write_map  # noqa: E402
from kg.view.synthetic import synthetic_graph  # noqa: E402


def cases(graph_dir: Path | None):
    yield "synthetic, seed size", lambda: synthetic_graph(600, 1500, seed=7), 300
    yield "synthetic, 2,000 nodes", lambda: synthetic_graph(3000, 8000, seed=7), 2000
    if graph_dir:
        from kg.graph.io import load_graph

        yield f"{graph_dir} (top 300)", lambda: load_graph(graph_dir), 300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", type=Path, help="also measure the map of this built graph folder")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not find_chromium():
        print("Chromium not found: apt-get install chromium (or set KG_CHROMIUM)", file=sys.stderr)
        return 1

    rows = []
    with tempfile.TemporaryDirectory() as tmp, Chromium(width=1400, height=900, timeout=300) as browser:
        for name, make, top in cases(args.graph):
            graph = make()
            page = Path(tmp) / "graph.html"
            started = time.perf_counter()
            counts = write_map(graph, page, top=top)
            write_s = time.perf_counter() - started
            draws, walls = [], []
            for _ in range(max(1, args.runs)):
                report = browser.open(page, timeout=300)
                if report.state != "drawn" or report.remote_requests or report.exceptions:
                    raise SystemExit(f"{name}: {report}")
                draws.append(report.page_ms)
                walls.append(report.wall_ms)
            rows.append((name, counts["nodes"], counts["edges"], page.stat().st_size / 1e6, write_s,
                         statistics.median(draws), statistics.median(walls)))

    header = ("map", "nodes", "links", "MB", "write s", "draw ms", "wall ms")
    print(f"{header[0]:<28}{header[1]:>7}{header[2]:>8}{header[3]:>7}{header[4]:>9}{header[5]:>9}{header[6]:>9}")
    for name, nodes, links, size, write_s, draw, wall in rows:
        print(f"{name:<28}{nodes:>7}{links:>8}{size:>7.2f}{write_s:>9.2f}{draw:>9.0f}{wall:>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
