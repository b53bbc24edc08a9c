from components import shell
from components.reminders import inbox

actor = shell.page("inbox")
inbox.render(actor)
