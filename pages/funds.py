from components import shell
from components.funds import funds

actor = shell.page("funds")
funds.render(actor)
