from components import shell
from components.community import rate

actor = shell.page("rate")
rate.render(actor)
