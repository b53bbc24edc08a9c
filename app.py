"""社区项目监测评估平台: staff sign in here; leaders and admins land on the overview."""

from components import shell
from components.overview import home

actor = shell.page("home")
home.render(actor)
