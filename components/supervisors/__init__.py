"""The supervisor pool's pages: the pool (supervisors) and its draws (supervisor_draws), with their cached readers."""
