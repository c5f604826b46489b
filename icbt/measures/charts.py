"""Charts: plain points in, PNG or SVG bytes out. Knows no models and no request.

matplotlib is imported inside the functions (pages without charts do not pay for it)
and only `matplotlib.figure.Figure` with the Agg canvas is used, never pyplot, whose
global state is unsafe in a web server (matplotlib's "embedding in a web server" guide).
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from icbt.measures import scoring

# Bumped when the drawings change, so cached images and ETags change with them.
VERSION = "1"
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
# (width in, height in, dpi): "narrow" is drawn for phones, with bigger type per pixel.
SIZES: dict[str, tuple[float, float, int]] = {"wide": (8.0, 4.0, 100), "narrow": (4.4, 3.6, 150)}
FONT = {"wide": 11, "narrow": 10}
INK, ACCENT, WARM, SOFT = "#1f2a30", "#1d5f8a", "#b35c00", "#8fb8d6"
# Light to dark, minimal .. severe: pale enough for the line and labels to read on top.
BAND_COLOURS = {"minimal": "#eef6ee", "mild": "#f7f4dc", "moderate": "#fbe9d0",
                "moderately_severe": "#f8d9c6", "severe": "#f2c4c4"}

_lock = threading.Lock()
RENDERS = 0  # how many images were drawn in this process (tests count cache misses)


def _mpl() -> Any:
    """Import matplotlib lazily, with a writable config folder, and return the Figure class."""
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "icbt-mpl"))
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def make(size: str) -> Any:
        w, h, dpi = SIZES.get(size, SIZES["wide"])
        fig = Figure(figsize=(w, h), dpi=dpi, layout="constrained")
        FigureCanvasAgg(fig)
        return fig

    return make


def _finish(fig: Any, fmt: str) -> bytes:
    """Save a figure as PNG or SVG bytes and count the render."""
    global RENDERS
    buf = io.BytesIO()
    meta = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buf, format=fmt, metadata=meta, facecolor="white")
    with _lock:
        RENDERS += 1
    return buf.getvalue()


def _style(ax: Any, size: str) -> int:
    """Apply the calm house style to an axes; return the font size to use."""
    fs = FONT.get(size, 11)
    ax.tick_params(labelsize=fs - 1, colors=INK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#d5dbdf", linewidth=0.8)
    ax.set_axisbelow(True)
    return fs


def _legend(fig: Any, ax: Any, size: str, fs: int, ncols: int = 3) -> None:
    """Put the legend above the plot, where it never hides a point."""
    if ax.get_legend_handles_labels()[0]:
        fig.legend(loc="outside upper left", fontsize=fs - 1, frameon=False,
                   ncols=min(ncols, 2) if size == "narrow" else ncols)


def _date_axis(ax: Any, start: date, end: date, size: str) -> None:
    """Readable day labels: fewer ticks on narrow charts."""
    from matplotlib.dates import AutoDateLocator, DateFormatter

    ax.set_xlim(start - timedelta(days=0.5), end + timedelta(days=1))
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=4 if size == "narrow" else 8))
    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))


def rolling_mean(points: Sequence[tuple[date, float]], window: int = 7
                 ) -> list[tuple[date, float]]:
    """The mean of the check-ins in the `window` days ending on each day that has data near it.

    Calendar days, not check-ins: a gap leaves fewer values in the window rather than
    stretching it, and days with no check-in in the whole window have no mean.
    """
    if not points:
        return []
    by_day = dict(points)
    first, last = min(by_day), max(by_day)
    out = []
    day = first
    while day <= last:
        values = [by_day[d] for d in (day - timedelta(days=i) for i in range(window)) if d in by_day]
        if values:
            out.append((day, sum(values) / len(values)))
        day += timedelta(days=1)
    return out


def mood_chart(mood: Sequence[tuple[date, float]], anxiety: Sequence[tuple[date, float]],
               start: date, end: date, labels: Mapping[str, str], fmt: str = "png",
               size: str = "wide") -> bytes:
    """Daily mood points with the 7-day rolling mean (and anxiety, lighter), 0 to 10."""
    fig = _mpl()(size)
    ax = fig.add_subplot()
    fs = _style(ax, size)
    if mood:
        ax.plot([d for d, _v in mood], [v for _d, v in mood], linestyle="none", marker="o",
                markersize=5, color=SOFT, label=labels["mood"])
        avg = rolling_mean(mood)
        ax.plot([d for d, _v in avg], [v for _d, v in avg], color=ACCENT, linewidth=2.5,
                label=labels["mean"])
    if anxiety:
        ax.plot([d for d, _v in anxiety], [v for _d, v in anxiety], linestyle="none",
                marker="s", markersize=4, color=WARM, alpha=0.55, label=labels["anxiety"])
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks([0, 2, 4, 6, 8, 10])
    ax.set_ylabel(labels["axis"], fontsize=fs)
    _date_axis(ax, start, end, size)
    _legend(fig, ax, size, fs)
    return _finish(fig, fmt)


def measure_chart(key: str, points: Sequence[tuple[date, int]], start: date, end: date,
                  labels: Mapping[str, str], fmt: str = "png", size: str = "wide") -> bytes:
    """Totals over time over the shaded severity bands, with the caseness line."""
    measure = scoring.MEASURES[key]
    fig = _mpl()(size)
    ax = fig.add_subplot()
    fs = _style(ax, size)
    ax.grid(False)
    for band in measure.bands:
        ax.axhspan(band.low - 0.5, band.high + 0.5, color=BAND_COLOURS[band.key], linewidth=0)
    ax.axhline(measure.caseness - 0.5, color=WARM, linestyle="--", linewidth=1.5,
               label=labels["caseness"])
    if points:
        ax.plot([d for d, _t in points], [t for _d, t in points], color=ACCENT, marker="o",
                linewidth=2, markersize=6, label=labels["total"])
    pad = max(3, (end - start).days // 12)
    _date_axis(ax, start - timedelta(days=pad), end + timedelta(days=pad), size)
    ax.set_ylim(-0.5, measure.max_total + 0.5)
    ax.set_yticks(sorted({b.low for b in measure.bands} | {measure.max_total}))
    # Band names as tick labels on a right-hand axis, so the layout makes room for them.
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks([(b.low + b.high) / 2 for b in measure.bands],
                     [labels.get(f"band_{b.key}", b.label) for b in measure.bands])
    right.tick_params(length=0, labelsize=fs - 2, colors="#52606a")
    for spine in right.spines.values():
        spine.set_visible(False)
    ax.set_ylabel(labels["axis"], fontsize=fs)
    _legend(fig, ax, size, fs, ncols=2)
    return _finish(fig, fmt)


def homework_chart(weeks: Sequence[tuple[str, int, int]], labels: Mapping[str, str],
                   fmt: str = "png", size: str = "wide") -> bytes:
    """Homework done against set, per week: (week label, done, set)."""
    fig = _mpl()(size)
    ax = fig.add_subplot()
    fs = _style(ax, size)
    xs = list(range(len(weeks)))
    ax.bar([x - 0.2 for x in xs], [s for _l, _d, s in weeks], width=0.4, color="#d5dbdf",
           label=labels["set"])
    ax.bar([x + 0.2 for x in xs], [d for _l, d, _s in weeks], width=0.4, color=ACCENT,
           label=labels["done"])
    ax.set_xticks(xs, [w for w, _d, _s in weeks])
    ax.set_ylabel(labels["axis"], fontsize=fs)
    top = max([s for _l, _d, s in weeks] + [d for _l, d, _s in weeks] + [1])
    ax.set_ylim(0, top + 1)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _legend(fig, ax, size, fs, ncols=2)
    return _finish(fig, fmt)


def activation_chart(rows: Sequence[tuple[int, int, int, int]], labels: Mapping[str, str],
                     fmt: str = "png", size: str = "wide") -> bytes:
    """Predicted (x) against actual (y) pleasure and achievement; above the line = better."""
    fig = _mpl()(size)
    ax = fig.add_subplot()
    fs = _style(ax, size)
    ax.plot([0, 10], [0, 10], color="#9aa5ad", linestyle="--", linewidth=1,
            label=labels["same"])
    if rows:
        ax.scatter([r[0] for r in rows], [r[1] for r in rows], s=60, color=ACCENT, alpha=0.7,
                   marker="o", label=labels["pleasure"])
        ax.scatter([r[2] for r in rows], [r[3] for r in rows], s=60, color=WARM, alpha=0.7,
                   marker="^", label=labels["mastery"])
    ax.set_xlim(-0.5, 10.5)
    ax.set_ylim(-0.5, 10.5)
    ax.set_xticks([0, 2, 4, 6, 8, 10])
    ax.set_yticks([0, 2, 4, 6, 8, 10])
    ax.set_xlabel(labels["x"], fontsize=fs)
    ax.set_ylabel(labels["y"], fontsize=fs)
    _legend(fig, ax, size, fs)
    return _finish(fig, fmt)


def diary_heatmap(days: Sequence[date], emotions: Sequence[str],
                  values: Mapping[tuple[str, date], int | None], labels: Mapping[str, str],
                  fmt: str = "png", size: str = "wide") -> bytes:
    """Emotion (rows) by day (columns), 0-5; days without a card stay blank."""
    import numpy as np

    fig = _mpl()(size)
    ax = fig.add_subplot()
    fs = FONT.get(size, 11)
    grid = np.full((len(emotions), len(days)), np.nan)
    for i, emotion in enumerate(emotions):
        for j, day in enumerate(days):
            value = values.get((emotion, day))
            if isinstance(value, int):
                grid[i, j] = value
    image = ax.imshow(np.ma.masked_invalid(grid), cmap="YlOrRd", vmin=0, vmax=5,
                      aspect="auto", interpolation="nearest")
    ax.set_facecolor("#f1f3f4")
    ax.set_yticks(range(len(emotions)), [e.capitalize() for e in emotions], fontsize=fs - 1)
    most = 4 if size == "narrow" else 8  # day labels that fit side by side
    step = max(1, -(-len(days) // most))
    ax.set_xticks(range(0, len(days), step),
                  [d.strftime("%d %b") for d in days][::step], fontsize=fs - 1)
    if len(days) <= 14:
        for i in range(len(emotions)):
            for j in range(len(days)):
                if not np.isnan(grid[i, j]):
                    ax.text(j, i, str(int(grid[i, j])), ha="center", va="center",
                            fontsize=fs - 2, color="white" if grid[i, j] >= 3 else INK)
    bar = fig.colorbar(image, ax=ax, ticks=[0, 1, 2, 3, 4, 5], shrink=0.8)
    bar.set_label(labels["scale"], fontsize=fs - 1)
    bar.ax.tick_params(labelsize=fs - 2)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return _finish(fig, fmt)
