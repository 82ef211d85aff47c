"""Size limits, in one place (documented in docs/reliability.md; the file
format's own in docs/file-format.md).

Beyond a limit nnsim refuses with a message naming it, instead of freezing or
running out of memory. nnsim.io re-exports the file and CSV limits under the
names its readers have always used (nnsim.io.MAX_FILE_BYTES, ...).
"""
# -- the window's canvas: it draws every neuron and connection, so it holds
#    less than files and the command line do
CANVAS_MAX_LAYERS = 16  # non-input layers
CANVAS_MAX_UNITS = 256  # neurons in one layer, inputs included
CANVAS_MAX_EDGES = 20_000  # connections drawn

# -- .nnsim files and the command line: checked before anything is allocated
FILE_MAX_BYTES = 160_000_000  # bytes of JSON text (160 MB): what loads within the
                              # memory budget of nnsim.io.load_budget
MAX_LAYERS = 1_000  # non-input layers
MAX_UNITS = 100_000  # neurons in one layer (inputs included)
MAX_PARAMETERS = 50_000_000  # weights + biases of the whole network
MAX_COUNT = 1_000_000_000  # epochs, batch size
MAX_STEPS = 2**53  # optimizer_state.t
# layout positions, in scene units: room for the largest automatic layout (256
# neurons 110 apart reach y = +-14,025), and a canvas that exports (below)
MAX_COORDINATE = 15_000.0
# Epochs in a saved history: a packed history claims many in few bytes (a
# constant column packs a thousandfold), each takes 64 bytes once loaded:
# at most 640 MB, about 45 minutes of run mode at full speed on the lecture's
# network. (nnsim.io.history_columns checks it.)
MAX_HISTORY_EPOCHS = 10_000_000

# -- data: the built-in sets' points and the CSV rows alike
DATA_MIN_N, DATA_MAX_N = 4, 1_000_000

# -- CSV import
CSV_MAX_BYTES = 500 * 1024 * 1024  # refused before reading (shown as 500 MB)
CSV_MAX_COLUMNS = MAX_UNITS  # as many as an input layer may have
CSV_MAX_VALUES = 10_000_000  # rows x chosen columns: the points are saved in the
                             # .nnsim file, which loads up to FILE_MAX_BYTES
CSV_MAX_CLASSES = 100  # labels of one class column
CSV_MAX_LINE_CHARS = 4_000_000  # a longer line is not a CSV row

# -- images: `nnsim --screenshot --size WxH` and the canvas's PNG/SVG export
IMAGE_MAX_SIDE = 8192  # pixels a side (8192x8192 ARGB is 256 MB; far beyond, Qt crashes)
# the canvas exported: at most this many scene units a side (PNG at 0.25 pixels a
# unit or more, within IMAGE_MAX_SIDE); any layout within MAX_COORDINATE fits
EXPORT_MAX_UNITS = 32_768
MAX_SCREENSHOT_STEPS = 10_000  # --steps: micro-steps before a screenshot (about 5 ms each)

# A learning rate beyond this is a typo, not an experiment.
MAX_LEARNING_RATE = 1e9
# L1/L2 regularisation rates: Playground offers up to 10; beyond 1000 the
# penalty is all the loss there is.
MAX_REGULARIZATION_RATE = 1000.0

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
