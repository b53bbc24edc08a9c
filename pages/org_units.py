from components import org_view, shell

actor = shell.page("org_units")
org_view.render(actor)
