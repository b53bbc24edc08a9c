from components import shell
from components.pipeline import social_orgs

actor = shell.page("social_orgs")
social_orgs.render(actor)
