from components import shell
from components.system import account

actor = shell.page("account")
account.render(actor)
