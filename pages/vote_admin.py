from components import shell
from components.voting import vote_admin

actor = shell.page("vote_admin")
vote_admin.render(actor)
