from components import rectification_view, shell

actor = shell.page("rectifications")
rectification_view.render(actor)
