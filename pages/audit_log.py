from components import audit_view, shell

actor = shell.page("audit_log")
audit_view.render(actor)
