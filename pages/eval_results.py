from components import eval_results_view, shell

actor = shell.page("eval_results")
eval_results_view.render(actor)
