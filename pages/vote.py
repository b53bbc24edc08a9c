from components import shell
from components.voting import vote

actor = shell.page("vote")
vote.render(actor)
