from components import evaluator_view, shell

actor = shell.page("my_assignments")
evaluator_view.render(actor)
