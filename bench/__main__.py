"""`python -m bench`: nnsim's benchmarks in one run, as a table of ratios.

Options: --quick (fewer, shorter repeats), --only SECTION[,SECTION],
--native-blas (unset OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for this run),
--threads N (BLAS/OpenMP threads for every side, default 1),
--torch-python PATH (an interpreter with torch, used as a subprocess when
torch cannot be imported here), --json FILE (the raw numbers).
Sections: train, micro, canvas, plot, run, start, landscape, penalty, heat, scale.
"""
from __future__ import annotations

import argparse
import os
import sys

SECTIONS = ("train", "micro", "canvas", "plot", "run", "start", "landscape", "penalty", "heat",
            "scale")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer and shorter repeats")
    p.add_argument("--only", default=",".join(SECTIONS),
                   help=f"comma-separated sections (default all: {','.join(SECTIONS)})")
    p.add_argument("--threads", type=int, default=1,
                   help="BLAS/OpenMP/torch threads, the same for every side (default 1)")
    p.add_argument("--repeats", type=int, default=None, help="repeats per measurement")
    p.add_argument("--torch-python", default=None,
                   help="a Python with torch 2.13.0, run as a worker subprocess when torch "
                        "cannot be imported here")
    p.add_argument("--json", default=None, metavar="FILE", help="also write the raw numbers")
    p.add_argument("--native-blas", action="store_true",
                   help="run without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (set on some "
                        "machines for old OpenBLAS builds; they pin NumPy's BLAS to an "
                        "older, slower kernel). The table names the kernel used.")
    args = p.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in args.sections if s not in SECTIONS]
    if bad:
        p.error(f"unknown section {bad[0]!r} (choose from {', '.join(SECTIONS)})")
    return args


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.native_blas and ("OPENBLAS_CORETYPE" in os.environ
                             or "OPENBLAS_L2_SIZE" in os.environ):
        # only for this benchmark process (and the ones it starts): the
        # variables must be gone before NumPy loads, so start afresh
        env = {k: v for k, v in os.environ.items()
               if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
        os.execve(sys.executable, [sys.executable, "-m", "bench", *argv], env)
    # Threads are fixed before NumPy (and its BLAS) loads, in this process and
    # in every subprocess it starts.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .run import run_all
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
