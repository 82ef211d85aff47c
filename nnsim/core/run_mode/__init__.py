"""Run mode's NumPy side (no Qt: the training process imports only this).

Vocabulary, the same in every name, docstring and comment of run mode:

- the *app*: the process with the window; ``nnsim.document.run_mode`` is its
  side of run mode (the runner and its handle on the training process);
- the *training process*: the second process that trains at full speed,
  ``python -m nnsim.core.run_mode.process``;
- *commands* go from the app to the training process (load, want, halt,
  quit), *progress* comes back (or an error); ``protocol.py`` says what they
  carry, ``framing.py`` how they travel;
- a *divergence*: the loss or a parameter stopped being a finite number;
  ``divergence.py`` says where and why.
"""
