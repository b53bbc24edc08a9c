from components import project_form, shell

actor = shell.page("project_admin")
project_form.render(actor)
