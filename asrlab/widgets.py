"""Interactive explorers that still make sense when a notebook runs non-interactively.

:func:`explorer` draws the default view as an ordinary cell output (so it is in the saved
notebook, in CI, on a static page), then shows the controls; moving a control redraws and
*replaces* that same output in place through a display handle.  One figure, always
current, no duplicate plots.

Example (lesson 04)::

    def draw(win_ms, hop_ms):
        fig, ax = plt.subplots(figsize=(8, 3))
        ...
        return fig

    explorer(draw, win_ms=widgets.IntSlider(value=25, min=5, max=100, description="window (ms)"),
             hop_ms=widgets.IntSlider(value=10, min=1, max=50, description="hop (ms)"))
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["explorer"]


def _as_list(result: Any) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, (list, tuple)):
        return [r for r in result if r is not None]
    return [result]


def explorer(draw: Callable[..., Any], /, **controls: Any) -> None:
    """Show ``draw(**values)`` for the controls' current values, and redraw on every change.

    Args:
        draw: Called with one keyword argument per control (its ``value``). Returns what
            to show: a matplotlib Figure, an ``IPython.display.Audio``, any displayable, or
            a tuple/list of those (each gets its own output, updated in place).
        **controls: ipywidgets value widgets (sliders, dropdowns, checkboxes) by argument name.

    Returns nothing (so that a cell ending with it shows the controls once); the
    controls are the widgets passed in, which the caller still holds.

    Lesson: 01-05 (every lesson's explorer).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    if not controls:
        raise ValueError("explorer: expected at least one control widget, got none")
    for name, w in controls.items():
        if not hasattr(w, "value") or not hasattr(w, "observe"):
            raise TypeError(f"{name}: expected an ipywidgets value widget, got {type(w).__name__}")

    def render() -> list[Any]:
        items = _as_list(draw(**{n: w.value for n, w in controls.items()}))
        for item in items:
            if isinstance(item, plt.Figure):
                plt.close(item)  # shown through the display handle, not by the inline backend
        return items

    handles = [display(item, display_id=True) for item in render()]
    box = widgets.VBox(list(controls.values()))

    def on_change(_change: Any) -> None:
        items = render()
        for handle, item in zip(handles, items):
            handle.update(item)
        for item in items[len(handles):]:
            handles.append(display(item, display_id=True))

    for w in controls.values():
        w.observe(on_change, names="value")
    display(box)
