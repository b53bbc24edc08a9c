from components import shell
from components.community import community_dashboard

actor = shell.page("community_dashboard")
community_dashboard.render(actor)
