from components import shell
from components.pipeline import projects

actor = shell.page("projects")
projects.render(actor)
