from components import shell
from components.supervisors import supervisors

actor = shell.page("supervisors")
supervisors.render(actor)
