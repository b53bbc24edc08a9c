from components import account_view, shell

actor = shell.page("account")
account_view.render(actor)
