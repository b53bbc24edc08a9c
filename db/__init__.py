"""Everything below the UI: models, engine, one module per area, the seed loader. No Streamlit here."""
