from components import shell
from components.scorecards import eval_results

actor = shell.page("eval_results")
eval_results.render(actor)
