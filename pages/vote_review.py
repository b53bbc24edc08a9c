from components import shell
from components.voting import vote_review

actor = shell.page("vote_review")
vote_review.render(actor)
