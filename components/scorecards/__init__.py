"""Pages and pieces of the scorecards (evaluation) area."""
