"""Grid (网格) indicators: monthly reports, entry and import, roll-ups, reporting periods and due days."""
