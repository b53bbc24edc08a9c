"""Pages and pieces of the grid indicators area."""
