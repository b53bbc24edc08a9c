"""The leader's overview: headline figures across the areas, alerts, this year against last."""
