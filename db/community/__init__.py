"""社区营造: residents' proposals (verified by phone as the vote is), their triage, the community council's
meetings and decisions, adoption into a funded project, and what the public reads. rules (states, moves,
settings), scope, verification, proposals (submitting and reading), triage, councils, adoption, public."""
