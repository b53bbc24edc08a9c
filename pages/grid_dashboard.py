from components import shell
from components.grids import grid_dashboard

actor = shell.page("grid_dashboard")
grid_dashboard.render(actor)
