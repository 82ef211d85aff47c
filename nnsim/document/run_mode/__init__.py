"""Run mode, the app's side: the runner, its timing and its handle on the
training process. The NumPy side (what the training process runs, the
messages, divergence diagnosis) is ``nnsim.core.run_mode``, which also
defines the vocabulary."""
from nnsim.core.run_mode.divergence import DivergenceInfo

from .runner import DIVERGED, HISTORY_FULL, PAUSED, STOP_LOSS_REACHED, TARGET_REACHED, Runner

__all__ = ["DIVERGED", "HISTORY_FULL", "PAUSED", "STOP_LOSS_REACHED", "TARGET_REACHED",
           "DivergenceInfo", "Runner"]
