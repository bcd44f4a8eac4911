"""Node positions for the map, computed in Python so that the page draws at once and never moves.

vis-network's own physics would lay the graph out in the browser, differently
on each load; a seeded layout here gives the same picture, and the same bytes,
for the same graph.
"""

from __future__ import annotations

import math

import numpy as np


def force_layout(n: int, edges: list[tuple[int, int, float]], *, seed: int = 42, iterations: int | None = None,
                 fixed: int | None = None, gravity: float = 0.08) -> np.ndarray:
    """Fruchterman–Reingold positions (n × 2, roughly in [-1, 1]) for nodes 0..n-1.

    Repulsion between all pairs is computed in row blocks (memory n × 64), the
    attraction along the ``(i, j, weight)`` edges only; a weak pull to the centre
    keeps separate components near.  Seeded and free of BLAS and threads, so the
    result is the same on every run.  ``fixed`` pins one node at the origin.

    >>> pos = force_layout(3, [(0, 1, 1.0), (1, 2, 1.0)])
    >>> pos.shape, bool(abs(pos).max() <= 1.0)
    ((3, 2), True)
    """
    if n == 0:
        return np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)) * 2 - 1
    if fixed is not None:
        pos[fixed] = 0.0
    if n == 1:
        return np.zeros((1, 2))
    iterations = iterations or (120 if n <= 600 else 60)
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    weight = np.array([e[2] for e in edges], dtype=np.float64)
    k = math.sqrt(4.0 / n)  # ideal distance in a 2 × 2 box
    k2 = k * k
    temperature, cooling = 0.2, 0.2 / (iterations + 1)
    disp = np.empty((n, 2))
    block = 64
    for _ in range(iterations):
        x, y = pos[:, 0], pos[:, 1]
        for start in range(0, n, block):
            end = min(n, start + block)
            dx = x[start:end, None] - x[None, :]
            dy = y[start:end, None] - y[None, :]
            d2 = dx * dx + dy * dy
            np.maximum(d2, 1e-6, out=d2)
            force = k2 / d2
            dx *= force
            dy *= force
            disp[start:end, 0] = dx.sum(axis=1)
            disp[start:end, 1] = dy.sum(axis=1)
        if len(src):
            ex, ey = x[src] - x[dst], y[src] - y[dst]
            dist = np.sqrt(ex * ex + ey * ey)
            pull = weight * dist / k
            fx, fy = ex * pull, ey * pull
            disp[:, 0] -= np.bincount(src, fx, n) - np.bincount(dst, fx, n)
            disp[:, 1] -= np.bincount(src, fy, n) - np.bincount(dst, fy, n)
        disp -= gravity * pos * n * k
        length = np.sqrt((disp * disp).sum(axis=1))
        np.maximum(length, 1e-9, out=length)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        if fixed is not None:
            pos[fixed] = 0.0
        temperature -= cooling
    centre = pos[fixed] if fixed is not None else (pos.max(axis=0) + pos.min(axis=0)) / 2
    pos -= centre
    extent = np.abs(pos).max()
    return pos / extent if extent > 0 else pos


def _pixels(pos: np.ndarray, spacing: float) -> list[tuple[int, int]]:
    """Layout units to integer canvas pixels, ``spacing`` px per node on average."""
    n = len(pos)
    if n <= 1:
        return [(0, 0)] * n
    half = spacing * math.sqrt(n) / 2
    return [(int(round(x * half * 1.3)), int(round(y * half))) for x, y in pos]
