"""Pages and pieces of the project pipeline area."""
