"""What no domain owns: building blocks that the apps above share (see DESIGN's layers)."""
