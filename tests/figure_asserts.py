"""Assertions shared by the tests of animated surface figures."""


def assert_animates_over_the_surface_image(fig) -> None:
    """The surface is a layout image that frames never carry, and no animate call redraws.

    ``animate`` with redraw=False restyles only the frames' traces, so an image in the layout
    stays on screen while the paths move (a contour trace went blank in Chromium).
    """
    images = fig.layout.images
    assert len(images) == 1 and images[0].source.startswith("data:image/png;base64,")
    assert images[0].layer == "below"
    assert not any(t.type in ("contour", "heatmap") for t in fig.data)
    assert fig.frames and not any(f.to_plotly_json().get("layout") for f in fig.frames)
    calls = [b.args for b in fig.layout.updatemenus[0].buttons]
    calls += [s.args for s in fig.layout.sliders[0].steps]
    assert calls and all(args[1]["frame"]["redraw"] is False for args in calls)
