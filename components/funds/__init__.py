"""社区基金 pages: the funds of the user's scope, one fund's ledger and the forms that add to it."""
