"""Word documents in the form of a 公文 (GB/T 9704-2012): the page and styles every document shares
(layout), the templates offices fill and may replace (templates), and the admin's upload (template_admin)."""
