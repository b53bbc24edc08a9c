from components import shell
from components.scorecards import eval_templates

actor = shell.page("eval_templates")
eval_templates.render(actor)
