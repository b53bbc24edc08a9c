from components import shell
from components.system import users

actor = shell.page("users")
users.render(actor)
