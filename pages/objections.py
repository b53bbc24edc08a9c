from components import shell
from components.voting import objections

actor = shell.page("objections")
objections.render(actor)
