from components import shell
from components.community import community_board

actor = shell.page("community_board")
community_board.render(actor)
