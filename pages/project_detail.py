from components import project_detail_view, shell

actor = shell.page("project_detail")
project_detail_view.render(actor)
