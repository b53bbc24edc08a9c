from components import shell
from components.scorecards import rectifications

actor = shell.page("rectifications")
rectifications.render(actor)
