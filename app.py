"""社区项目监测评估平台: staff sign in here; leaders and admins land on the overview."""

from components import home, shell

actor = shell.page("home")
home.render(actor)
