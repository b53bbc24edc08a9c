"""Reusable Streamlit pieces: the page shell, auth, language, formatting, charts, tables, exports."""
