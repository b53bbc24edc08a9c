from components import shell, user_admin

actor = shell.page("users")
user_admin.render(actor)
