"""五社联动: the registries (social-work stations and workers, community enterprises, activities) and the dashboard."""
