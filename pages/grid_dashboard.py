from components import grid_dashboard_view, shell

actor = shell.page("grid_dashboard")
grid_dashboard_view.render(actor)
