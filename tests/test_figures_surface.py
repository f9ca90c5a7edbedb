"""The shared base figure: the surface image on the domain, log levels, critical points."""

import base64
import io

import numpy as np
import pytest
from PIL import Image
from plotly.colors import sample_colorscale, unlabel_rgb

import surfaces
from figures.palette import SURFACE_COLORSCALE
from figures.surface import (
    band_colours,
    banded_rgb,
    base_figure,
    contour_trace,
    critical_point_traces,
    grid,
    log_levels,
)


def decode(uri: str) -> np.ndarray:
    """The image of a PNG data URI as (rows, cols, 3), decoded by Pillow (not our encoder)."""
    data = base64.b64decode(uri.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_base_figure_draws_the_surface_image_over_exactly_the_domain(name):
    surface = surfaces.get(name)
    fig = base_figure(surface, start=surface.start, resolution=80)
    (x0, x1), (y0, y1) = surface.domain
    image = fig.layout.images[0]
    assert (image.xref, image.yref, image.sizing) == ("x", "y", "stretch")
    assert (image.x, image.y, image.sizex, image.sizey) == (x0, y1, x1 - x0, y1 - y0)
    assert tuple(fig.layout.xaxis.range) == (x0, x1)
    assert tuple(fig.layout.yaxis.range) == (y0, y1)
    assert decode(image.source).shape == (80, 80, 3)
    carrier = fig.data[0]
    assert carrier.marker.showscale and carrier.marker.opacity == 0
    # Hover shows the loss on a 40 x 40 grid over the domain (row-major, y rising).
    X, Y = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 40))
    expected = surface.value(np.stack([X, Y], axis=-1)).ravel()
    np.testing.assert_allclose(np.asarray(carrier.customdata, dtype=float), expected, atol=1e-6)
    np.testing.assert_allclose(np.asarray(carrier.x, dtype=float), X.ravel(), atol=1e-5)


# Minima off the horizontal midline, with high loss at their mirror images, so a flipped image
# would fail.
@pytest.mark.parametrize("name", ["booth", "goldstein_price", "beale"])
def test_image_is_light_at_the_global_minimum_and_dark_at_the_maximum(name):
    # The surface scale runs from near white (low loss) to blue-grey (high loss); the PNG's
    # first row is the top of the domain (y1), so pixel (row, col) sits at (xs[col], ys[-1 - row]).
    surface = surfaces.get(name)
    rgb = decode(base_figure(surface, resolution=120).layout.images[0].source)[::-1].astype(int)
    _, _, Z = grid(surface, 120)
    low, high = (np.array(unlabel_rgb(c)) for c in sample_colorscale(SURFACE_COLORSCALE, [0, 1]))

    def nearer(pixel, colour, other):
        return np.linalg.norm(pixel - colour) < np.linalg.norm(pixel - other)

    assert nearer(rgb[np.unravel_index(np.argmin(Z), Z.shape)], low, high)
    assert nearer(rgb[np.unravel_index(np.argmax(Z), Z.shape)], high, low)


def test_bands_follow_the_values_and_edges_are_darkened():
    z = np.repeat(np.linspace(0.0, 1.0, 10)[None, :], 4, axis=0)  # 10 columns, rising
    rgb = banded_rgb(z, levels=5).astype(int)
    colours = band_colours(5).astype(int)
    inner = rgb[1, [0, 4, 9]]  # columns well inside bands 0, 2 and 4
    np.testing.assert_array_equal(inner, colours[[0, 2, 4]])
    assert (rgb[1, 1] < colours[0]).all()  # the last column of band 0 borders band 1: darker


def test_markers_cover_every_critical_point():
    surface = surfaces.get("six_hump_camel")
    traces = {t.name: t for t in critical_point_traces(surface, start=(0.0, 0.0))}
    assert len(traces["global min"].x) == 2
    assert len(traces["local min"].x) == len(surface.minima) - 2
    assert len(traces["saddle"].x) == len(surface.saddles)
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
