from components import backup_view, shell

actor = shell.page("backup")
backup_view.render(actor)
