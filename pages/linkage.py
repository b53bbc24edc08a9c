from components import shell
from components.linkage import linkage

actor = shell.page("linkage")
linkage.render(actor)
