"""UI preferences (window geometry and dock layout, recent files, run speed,
canvas text size, edge labels and heat maps) behind one small class, so tests can point
it at a temporary file. A broken stored value reads as "nothing stored"."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8
TEXT_SCALE_RANGE = (0.5, 3.0)
LABEL_MODES = ("auto", "values", "gradients", "both")


class Preferences:
    def __init__(self, path: str | Path | None = None):
        if path is None:
            self._s = QSettings("nnsim", "nnsim")
        else:
            self._s = QSettings(str(path), QSettings.Format.IniFormat)

    def recent_files(self) -> list[str]:
        value = self._s.value("recent_files", [])
        if isinstance(value, str):  # QSettings gives a bare string for one entry
            value = [value]
        return [v for v in value if isinstance(v, str)]

    def add_recent_file(self, path: str | Path) -> None:
        p = str(Path(path).resolve())
        files = [p] + [f for f in self.recent_files() if f != p]
        self._s.setValue("recent_files", files[:MAX_RECENT])

    def geometry(self) -> QByteArray | None:
        value = self._s.value("geometry")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, data: QByteArray) -> None:
        self._s.setValue("geometry", data)

    def window_state(self) -> QByteArray | None:
        """The docks' and toolbars' layout (QMainWindow.saveState)."""
        value = self._s.value("window_state")
        return value if isinstance(value, QByteArray) else None

    def set_window_state(self, data: QByteArray) -> None:
        self._s.setValue("window_state", data)

    def text_scale(self, default: float = 1.0) -> float:
        """The canvas text size, 1.0 = normal."""
        try:
            scale = float(self._s.value("text_scale", default))
        except (TypeError, ValueError):
            return default
        lo, hi = TEXT_SCALE_RANGE
        return scale if lo <= scale <= hi else default  # also refuses nan

    def set_text_scale(self, scale: float) -> None:
        self._s.setValue("text_scale", repr(float(scale)))

    def label_mode(self, default: str = "auto") -> str:
        """What the edge labels show: one of LABEL_MODES."""
        value = self._s.value("label_mode", default)
        return value if value in LABEL_MODES else default

    def set_label_mode(self, mode: str) -> None:
        self._s.setValue("label_mode", mode)

    def heat_maps(self) -> bool | None:
        """Heat maps in the neurons: the user's choice, None if never made
        (then each network's default applies)."""
        value = self._s.value("heat_maps")
        return {"on": True, "off": False}.get(value) if isinstance(value, str) else None

    def set_heat_maps(self, on: bool) -> None:
        self._s.setValue("heat_maps", "on" if on else "off")

    def run_speed(self, default: float | None = None) -> float | None:
        """Epochs per second of run mode, None for as fast as possible."""
        value = self._s.value("run_speed")
        if value is None:
            return default
        if value == "max":
            return None
        try:
            speed = float(value)
        except (TypeError, ValueError):
            return default
        return speed if speed > 0 and speed == speed and speed != float("inf") else default

    def set_run_speed(self, speed: float | None) -> None:
        self._s.setValue("run_speed", "max" if speed is None else repr(float(speed)))

    def sync(self) -> None:
        self._s.sync()
