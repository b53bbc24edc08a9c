from components import shell
from components.funds import microgrants

actor = shell.page("microgrants")
microgrants.render(actor)
