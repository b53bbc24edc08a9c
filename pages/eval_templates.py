from components import eval_templates_view, shell

actor = shell.page("eval_templates")
eval_templates_view.render(actor)
