"""Starting the window: `nnsim [FILE] [--screenshot OUT.png [--steps K]]`."""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from ..cli_values import EXAMPLES, ValueParser, whole
from ..core.limits import IMAGE_MAX_SIDE, MAX_SCREENSHOT_STEPS

APP_NAME = "nnsim"
MAX_SIDE = IMAGE_MAX_SIDE  # --size: larger images would take gigabytes (or crash Qt)


class _Parser(ValueParser):
    def error(self, message: str):
        """One line, no usage block: ``nnsim: error: ...`` and status 2."""
        self.exit(2, f"nnsim: error: {message}\n")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WxH such as 1280x720, got {text!r}") from None
    if not (1 <= w <= MAX_SIDE and 1 <= h <= MAX_SIDE):
        raise argparse.ArgumentTypeError(
            f"width and height must be from 1 to {MAX_SIDE} pixels, got {text!r}")
    return w, h


def _select(text: str) -> tuple[int, int, int]:
    """K,I,J: three whole numbers of at least 1 (checked against the network later)."""
    try:
        k, i, j = (int(v) for v in text.split(","))
        if min(k, i, j) < 1:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected K,I,J, three whole numbers of at least 1 such as 1,2,1, got {text!r}"
        ) from None
    return k, i, j


def _has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(
        prog="nnsim", description="Open the nnsim window (or use `nnsim train` / `nnsim trace`).",
        epilog=EXAMPLES["nnsim"], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", help="a .nnsim network file (default: the lecture's network)")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="render the window to a PNG and exit (no display needed)")
    parser.add_argument("--steps", type=whole(0, MAX_SCREENSHOT_STEPS), default=0, metavar="K",
                        help="with --screenshot: take K micro-steps first")
    parser.add_argument("--size", type=_size, default=(1600, 1000), metavar="WxH",
                        help="with --screenshot: the image's size in pixels (default 1600x1000)")
    parser.add_argument("--select", type=_select, metavar="K,I,J",
                        help="with --screenshot: select the weight from neuron I of layer K-1 "
                             "into neuron J of layer K (all 1-based), so the inspector explains it")
    return parser.parse_args(argv)


def install_exception_hook(window_getter) -> None:
    """An exception escaping a Qt slot is shown in a dialog; the app keeps running."""
    def hook(exc_type, exc, tb):
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        print(details, file=sys.stderr)
        from PySide6.QtWidgets import QApplication, QMessageBox
        if QApplication.instance() is None or QApplication.closingDown():
            return
        try:
            box = QMessageBox(QMessageBox.Icon.Critical, "nnsim: something went wrong",
                              f"{exc_type.__name__}: {exc}\n\nYour document is still open; "
                              "saving it under a new name is a good idea.", parent=window_getter())
        except RuntimeError:  # the window is already gone (shutting down)
            return
        box.setDetailedText(details)
        box.exec()
    sys.excepthook = hook


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _quiet_offscreen_warnings()
    elif not _has_display():
        print("nnsim: error: no display found (DISPLAY is not set). Run it in a desktop session, "
              "or use `nnsim train` / `nnsim trace`, or `--screenshot OUT.png` to render offscreen.",
              file=sys.stderr)
        return 2

    from PySide6.QtWidgets import QApplication
    from ..document import Document
    from ..document import FileFormatError, user_message
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    document = None
    if args.file:
        try:
            document = Document.open(args.file)
        except (FileFormatError, OSError, ValueError) as e:
            print(f"nnsim: error: {user_message(e)}", file=sys.stderr)
            return 2
        except MemoryError:
            print(f"nnsim: error: {args.file}: there is not enough memory to open it",
                  file=sys.stderr)
            return 2
    window = MainWindow(document)
    if args.screenshot:
        status = _screenshot_or_one_line(app, window, args)
        window.autosaver.stop()
    else:
        install_exception_hook(lambda: window)
        window.restore_layout()
        window.show()
        window.offer_recovery()
        status = app.exec()
    _dispose(app, window)
    return status


def _dispose(app, window) -> None:
    """Delete the window while Qt is fully alive: leaving it to interpreter
    shutdown destroys Qt and pyqtgraph objects in an order that can crash."""
    window.hide()
    window.deleteLater()
    from PySide6.QtCore import QEvent
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # run the deletion now
    app.processEvents()


def _quiet_offscreen_warnings() -> None:
    """The offscreen platform warns each time the window's minimum size
    changes; that is no news to the user of --screenshot."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message: str) -> None:
        if "does not support propagateSizeHints" not in message:
            print(message, file=sys.stderr)
    qInstallMessageHandler(handler)


def _screenshot_or_one_line(app, window, args) -> int:
    """--screenshot always exits: a problem is one line on stderr and status
    2 (what was asked cannot be done) or 1 (a fault), never a dialog that
    nobody can close (offscreen), never a traceback."""
    from ..document import EditError
    faults: list[BaseException] = []
    sys.excepthook = lambda _type, exc, _tb: faults.append(exc)  # exceptions in Qt slots
    try:
        status = _screenshot(app, window, args)
    except EditError as e:  # e.g. --steps on data without rows
        print(f"nnsim: error: argument --steps: {e}", file=sys.stderr)
        return 2
    except (MemoryError, Exception) as e:
        faults.append(e)
        status = 1
    finally:
        sys.excepthook = sys.__excepthook__
    if faults:
        e = faults[0]
        print(f"nnsim: error: could not render the window: {type(e).__name__}: "
              f"{' '.join(str(e).split())}", file=sys.stderr)
        return 1
    return status


def _screenshot(app, window, args) -> int:
    """Render the window at exactly --size (the saved layout is not used, so
    the same command gives the same picture)."""
    w, h = args.size
    smallest = window.minimumSizeHint().expandedTo(window.minimumSize())
    if w < smallest.width() or h < smallest.height():
        print(f"nnsim: error: argument --size: the window needs at least "
              f"{smallest.width()}x{smallest.height()} pixels, got {w}x{h}", file=sys.stderr)
        return 2
    window.resize(w, h)
    window.show()
    app.processEvents()
    for _ in range(args.steps):
        window.document.micro_step()
    if args.select:
        from .selection import EdgeRef
        k, i, j = args.select
        sizes = window.document.network.sizes
        if not (k < len(sizes) and i <= sizes[k - 1] and j <= sizes[k]):
            print(f"nnsim: error: argument --select: expected K,I,J naming a weight of this "
                  f"network, got {k},{i},{j}", file=sys.stderr)
            return 2
        window.scene.select(EdgeRef(k, i - 1, j - 1))
    app.processEvents()
    window.view.fit_to_window()
    # the plots redraw on a timer; draw them now so the picture has them
    window.loss_plot.refresh_now()
    window.decision_map.refresh_now()
    app.processEvents()
    out = Path(args.screenshot)
    if not window.grab().save(str(out)):
        print(f"nnsim: error: {out}: could not write the image", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0
