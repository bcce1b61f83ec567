# Stage 6: publication tables and figures, rendered from the stored estimates.


def render_targets():
    """Rendered exhibits (tables and figures) of the current configuration."""
    return []
