from components import shell
from components.community import propose

actor = shell.page("propose")
propose.render(actor)
