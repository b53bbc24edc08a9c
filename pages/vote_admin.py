from components import shell, vote_admin_view

actor = shell.page("vote_admin")
vote_admin_view.render(actor)
