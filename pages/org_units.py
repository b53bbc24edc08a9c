from components import shell
from components.system import org_units

actor = shell.page("org_units")
org_units.render(actor)
