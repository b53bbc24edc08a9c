"""五社联动: the dashboard page, its registries' lists and forms, the special fund's 3A+ rewards."""
