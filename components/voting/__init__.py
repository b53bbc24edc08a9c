"""Pages and pieces of the voting area: the public vote, its administration and review."""
