from components import catalogue_view, shell

actor = shell.page("catalogue")
catalogue_view.render(actor)
