from components import shell
from components.community import council

actor = shell.page("council")
council.render(actor)
