"""IPython extension loaded into every sandboxed kernel: figures are built but never laid out
or drawn.

The grader judges answers, never output, yet a lesson's plotting cells spend most of a
notebook's grading time in matplotlib: ``tight_layout`` measures every tick label, and
pyplot's hook after each cell draws every figure again.  Here both are skipped (the figure
objects, their artists and their data are exactly what the code made), and the kernel
command already turns off the image formatters, so no figure is rendered to pixels.  A
figure saved to a file explicitly is still drawn.
"""

from __future__ import annotations


def _no_layout(self, fig) -> None:
    """Layout engines do nothing: sizes of text are never measured."""


def _no_redraw() -> None:
    """pyplot's after-cell redraw of interactive figures, skipped."""


def load_ipython_extension(ip) -> None:
    import matplotlib.layout_engine as layout_engine
    import matplotlib.pyplot as plt

    for engine in (layout_engine.TightLayoutEngine, layout_engine.ConstrainedLayoutEngine):
        engine.execute = _no_layout
    redraw = getattr(plt, "_draw_all_if_interactive", None)
    plt._draw_all_if_interactive = _no_redraw  # what pyplot registers when a backend is chosen
    try:
        ip.events.unregister("post_execute", redraw)  # in case it was registered already
    except ValueError:
        pass
