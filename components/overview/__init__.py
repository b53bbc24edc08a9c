"""The home page: the leader's overview and the briefing files."""
