"""Purchased-service projects from needs survey to follow-up: reads, writes, rules, compliance, social organizations, the service catalogue."""
