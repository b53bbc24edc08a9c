"""社区基金 (community funds): funds per community or street, their ledger, and the figures read from it."""
