from components import shell
from components.pipeline import compliance

actor = shell.page("compliance")
compliance.render(actor)
