"""Small timing helpers: medians over repeats, paired ratios."""
from __future__ import annotations

import statistics
import time


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def time_call(fn, repeats: int, inner: int = 1) -> list[float]:
    """Seconds per call of ``fn`` (``inner`` calls per sample), one sample per repeat."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        out.append((time.perf_counter() - t0) / inner)
    return out


def calibrate(fn, target_s: float = 0.05, max_inner: int = 100_000) -> int:
    """How many calls of ``fn`` take about ``target_s``."""
    n = 1
    while n < max_inner:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= target_s / 4:
            return max(1, min(max_inner, int(n * target_s / max(dt, 1e-9))))
        n *= 4
    return max_inner


def fmt_time(s: float) -> str:
    if s != s:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"
