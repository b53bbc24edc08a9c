from components import shell
from components.pipeline import project_admin

actor = shell.page("project_admin")
project_admin.render(actor)
