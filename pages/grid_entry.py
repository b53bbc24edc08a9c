from components import shell
from components.grids import grid_entry

actor = shell.page("grid_entry")
grid_entry.render(actor)
