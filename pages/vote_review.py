from components import shell, vote_review_view

actor = shell.page("vote_review")
vote_review_view.render(actor)
