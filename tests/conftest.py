import os
import tempfile

# GUI tests run without a display; set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Autosave recovery copies go to a scratch folder, never the user's.
os.environ.setdefault("NNSIM_RECOVERY_DIR", tempfile.mkdtemp(prefix="nnsim-recovery-"))
