from components import shell
from components.system import audit_log

actor = shell.page("audit_log")
audit_log.render(actor)
