"""The CSV dialog never hangs on a FIFO (issue 16): it says what the file is."""
import os

import pytest

from nnsim.qt.csv_dialog import CsvImportDialog


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
def test_choosing_a_fifo_shows_a_message_instead_of_hanging(qtbot, tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)  # opened for reading, it would block until someone writes
    good = tmp_path / "good.csv"
    good.write_text("a,b\n1,0\n", encoding="utf-8")
    dialog = CsvImportDialog(good)
    qtbot.addWidget(dialog)
    dialog.ask_path = lambda: str(fifo)
    dialog.choose_file()
    assert dialog.message_label.text() == ("data.csv: is a FIFO (named pipe), not a regular "
                                           "file; nnsim imports CSV from regular files only")
    assert not dialog.import_button.isEnabled()
