from components import shell
from components.scorecards import my_assignments

actor = shell.page("my_assignments")
my_assignments.render(actor)
