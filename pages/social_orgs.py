from components import shell, social_orgs_view

actor = shell.page("social_orgs")
social_orgs_view.render(actor)
