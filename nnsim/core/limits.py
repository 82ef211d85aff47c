"""Size limits, in one place (documented in docs/reliability.md).

The canvas draws every neuron and connection, so it holds less than the
file format and the command line do (nnsim.io's MAX_* limits, tens of
millions of parameters). Beyond these, the window refuses with a message
instead of freezing.
"""
CANVAS_MAX_LAYERS = 16  # non-input layers
CANVAS_MAX_UNITS = 256  # neurons in one layer, inputs included
CANVAS_MAX_EDGES = 20_000  # connections drawn

# A learning rate beyond this is a typo, not an experiment.
MAX_LEARNING_RATE = 1e9

# Seeds (training and data): what every widget and platform integer holds.
MAX_SEED = 2**31 - 1


def canvas_refusal(sizes: list[int]) -> str | None:
    """Why a network of these layer sizes cannot be shown, or None if it can."""
    edges = sum(a * b for a, b in zip(sizes, sizes[1:]))
    if len(sizes) - 1 > CANVAS_MAX_LAYERS:
        return (f"it has {len(sizes) - 1} layers after the inputs; the canvas shows at most "
                f"{CANVAS_MAX_LAYERS}")
    if max(sizes) > CANVAS_MAX_UNITS:
        return (f"a layer has {max(sizes)} neurons; the canvas shows at most "
                f"{CANVAS_MAX_UNITS} per layer")
    if edges > CANVAS_MAX_EDGES:
        return (f"it has {edges:,} connections; the canvas shows at most {CANVAS_MAX_EDGES:,}")
    return None

# Points typed or pasted into the Data panel: as many as a CSV import reads
# (nnsim.io.csv_import's MAX_ROWS and MAX_VALUES; the file saves them all).
MAX_POINTS = 1_000_000  # rows, training and test together
MAX_POINT_VALUES = 10_000_000  # rows x (inputs + targets)
