from components import shell
from components.community import proposals

actor = shell.page("proposals")
proposals.render(actor)
