from components import compliance_view, shell

actor = shell.page("compliance")
compliance_view.render(actor)
