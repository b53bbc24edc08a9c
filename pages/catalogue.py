from components import shell
from components.pipeline import catalogue

actor = shell.page("catalogue")
catalogue.render(actor)
