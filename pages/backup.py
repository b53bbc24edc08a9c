from components import shell
from components.system import backup

actor = shell.page("backup")
backup.render(actor)
