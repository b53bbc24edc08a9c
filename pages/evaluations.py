from components import shell
from components.scorecards import evaluations

actor = shell.page("evaluations")
evaluations.render(actor)
