from components import pipeline_view, shell

actor = shell.page("projects")
pipeline_view.render(actor)
