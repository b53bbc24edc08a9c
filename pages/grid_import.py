from components import grid_import_view, shell

actor = shell.page("grid_import")
grid_import_view.render(actor)
