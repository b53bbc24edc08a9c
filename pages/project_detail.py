from components import shell
from components.pipeline import project_detail

actor = shell.page("project_detail")
project_detail.render(actor)
