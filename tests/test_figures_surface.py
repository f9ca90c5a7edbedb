"""The shared base figure: contour on the domain, log levels, markers for critical points."""

import numpy as np
import pytest

import surfaces
from figures.surface import base_figure, contour_trace, critical_point_traces, log_levels


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_base_figure_has_a_filled_contour_on_fixed_axes(name):
    surface = surfaces.get(name)
    fig = base_figure(surface, start=surface.start)
    contour = fig.data[0]
    assert contour.type == "contour" and contour.contours.coloring == "fill"
    (x0, x1), (y0, y1) = surface.domain
    assert tuple(fig.layout.xaxis.range) == (x0, x1)
    assert tuple(fig.layout.yaxis.range) == (y0, y1)
    assert np.all(np.isfinite(np.asarray(contour.z, dtype=float)))


def test_markers_cover_every_critical_point():
    surface = surfaces.get("six_hump_camel")
    traces = {t.name: t for t in critical_point_traces(surface, start=(0.0, 0.0))}
    assert len(traces["global minimum"].x) == 2
    assert len(traces["local minimum"].x) == len(surface.minima) - 2
    assert len(traces["saddle point"].x) == len(surface.saddles)
    assert list(zip(traces["start"].x, traces["start"].y, strict=True)) == [(0.0, 0.0)]


def test_log_levels_keep_the_order_of_values():
    z = np.array([0.0, 1e-6, 1e-3, 1.0, 1e3, 1e6])
    levels = log_levels(z, floor=0.0)
    assert np.all(np.diff(levels) > 0)
    assert levels[-1] - levels[-2] == pytest.approx(3.0, abs=0.01)  # decades stay decades


def test_log_colorbar_labels_show_loss_values():
    surface = surfaces.get("rosenbrock")
    trace = contour_trace(surface, resolution=60)
    labels = [float(t) for t in trace.colorbar.ticktext]
    z = np.asarray(trace.z, dtype=float)
    values = surface.value(np.stack(np.meshgrid(trace.x, trace.y), axis=-1))
    assert labels[0] == pytest.approx(values.min(), abs=1e-3)
    assert labels[-1] == pytest.approx(values.max(), rel=1e-2)
    assert np.all(np.diff(labels) > 0) and z.shape == values.shape
