from components import shell, vote_public_view

actor = shell.page("vote")
vote_public_view.render(actor)
