from components import grid_entry_view, shell

actor = shell.page("grid_entry")
grid_entry_view.render(actor)
