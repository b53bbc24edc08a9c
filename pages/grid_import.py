from components import shell
from components.grids import grid_import

actor = shell.page("grid_import")
grid_import.render(actor)
