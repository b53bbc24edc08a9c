from components import evaluations_admin_view, shell

actor = shell.page("evaluations")
evaluations_admin_view.render(actor)
