"""File > Export Worked Solution…: the window writes what `nnsim explain`
writes for the sample on show (the dialog is bypassed: the export is called
with a path, as the user's choice in the dialog would)."""
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from PySide6.QtWidgets import QMessageBox

from nnsim.qt.main_window import MainWindow
from nnsim.qt.preferences import Preferences

LECTURE = "resources/examples/lecture-xor.nnsim"


@pytest.fixture
def window(qtbot, tmp_path):
    w = MainWindow(preferences=Preferences(tmp_path / "prefs.ini"))
    w.errors = []
    w.show_error = lambda title, message: w.errors.append(message)
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(w)
    w.show()
    assert w.open_path(LECTURE)
    return w


def explain(*args) -> bytes:
    run = subprocess.run([sys.executable, "-m", "nnsim", "explain", LECTURE, *map(str, args)],
                         capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_the_menu_has_the_export_next_to_the_canvas_exports(window):
    file_menu = window.menuBar().actions()[0].menu()
    actions = [a for a in file_menu.actions() if not a.isSeparator()]
    names = [a.objectName() for a in actions]
    assert names.index("export_solution") == names.index("export_svg") + 1
    assert window.act_export_solution.text() == "Export &Worked Solution\u2026"


def test_markdown_export_equals_nnsim_explain_for_row_1(window, tmp_path):
    expected = explain("--sample", 0, "--format", "md")
    out = tmp_path / "step.md"
    # between cycles: the next sample is row 1
    assert window.export_worked_solution(out)
    assert out.read_bytes() == expected
    # in the middle of row 1's cycle, and after its update: still that step,
    # from the weights it started with
    for _ in range(5):
        window.act_next.trigger()
    assert window.export_worked_solution(out)
    assert out.read_bytes() == expected
    window.act_update.trigger()
    assert window.document.snapshot.weights_after is not None
    assert window.export_worked_solution(out)
    assert out.read_bytes() == expected
    assert window.errors == []


def test_a_pinned_sample_is_the_one_exported(window, tmp_path):
    window.step_bar.sample_box.setValue(3)  # trace row 3
    out = tmp_path / "row3.md"
    assert window.export_worked_solution(out)
    assert out.read_bytes() == explain("--sample", 2, "--format", "md")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.seen: list[str] = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.seen.append(tag)
        if tag not in ("br", "meta", "hr", "img", "link"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_export_opens_as_a_page_with_the_steps(window, tmp_path):
    out = tmp_path / "step.html"
    assert window.export_worked_solution(out)
    page = out.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    parser.close()
    assert parser.open == []  # every element closed
    assert {"html", "body", "h1", "table"} <= set(parser.seen)
    text = " ".join(parser.text)
    assert "One training step of The lecture's network: two outputs" in text
    assert page.encode("utf-8") == explain("--sample", 0, "--format", "html")


def test_an_unwritable_path_is_a_clear_message_and_no_file(window, tmp_path, capfd):
    target = tmp_path / "no such folder" / "step.md"
    assert not window.export_worked_solution(target)
    assert len(window.errors) == 1 and "step.md" in window.errors[0]
    assert not target.exists()
    assert capfd.readouterr().err == ""
    assert not window.export_worked_solution(tmp_path / "step.txt")
    assert "should end in .md, .html or .tex" in window.errors[1]
