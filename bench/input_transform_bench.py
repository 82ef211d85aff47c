"""What feature inputs and standardisation cost (core/input_transform.py):
`python -m bench.input_transform_bench [--rows N] [--repeats R]`.

The transform runs once per change of the data or the input options, never
per epoch: the epoch engine trains on the arrays it made. So the numbers that
matter, measured side by side in one run, are
- the transform's one-off cost against one epoch on the same data, and
- an epoch on standardised inputs against one on the raw inputs (the same
  shapes: the ratio should be 1), and with three feature inputs (a wider
  first layer: a little more work per epoch, by the network's own size).
"""
from __future__ import annotations

import argparse

import numpy as np

from bench.stats import fmt_time, median, time_call
from nnsim.core.datasets import DataSpec, make
from nnsim.core.input_transform import InputOptions, network_data
from nnsim.core.network import Network
from nnsim.core.stepper import Stepper
from nnsim.core.training import TrainingConfig


def epoch_time(data, repeats: int) -> float:
    net = Network.build(data.n_inputs, [8, 1], ["tanh", "sigmoid"], loss="bce",
                        rng=np.random.default_rng(0))
    st = Stepper(net, TrainingConfig(learning_rate=0.1, batch_size=100), data)
    return median(time_call(lambda: st.step_epochs(1), repeats))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.input_transform_bench")
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    raw = make(DataSpec("circle", n=args.rows, seed=0))
    features = InputOptions(("x1^2", "x2^2", "x1*x2"), standardize=True)
    fit_std = median(time_call(lambda: network_data(raw, InputOptions(standardize=True)),
                               args.repeats))
    fit_feat = median(time_call(lambda: network_data(raw, features), args.repeats))
    std_data = network_data(raw, InputOptions(standardize=True))[0]
    feat_data = network_data(raw, features)[0]
    t_raw = epoch_time(raw, args.repeats)
    t_std = epoch_time(std_data, args.repeats)
    t_feat = epoch_time(feat_data, args.repeats)
    print(f"input transform, {args.rows:,} rows of circle, 2-8-1 tanh/sigmoid, batch 100, "
          f"medians of {args.repeats}")
    print(f"  epoch, raw inputs:                  {fmt_time(t_raw)}")
    print(f"  epoch, standardised:                {fmt_time(t_std)}  "
          f"({t_std / t_raw:.2f} x raw)")
    print(f"  epoch, 3 features + standardised:   {fmt_time(t_feat)}  "
          f"({t_feat / t_raw:.2f} x raw; 5 inputs instead of 2)")
    print(f"  fit once, standardise:              {fmt_time(fit_std)}  "
          f"({fit_std / t_raw:.3f} of one raw epoch)")
    print(f"  fit once, 3 features + standardise: {fmt_time(fit_feat)}  "
          f"({fit_feat / t_raw:.3f} of one raw epoch)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
