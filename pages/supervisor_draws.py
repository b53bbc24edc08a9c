from components import shell
from components.supervisors import supervisor_draws

actor = shell.page("supervisor_draws")
supervisor_draws.render(actor)
