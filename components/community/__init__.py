"""社区营造 pages: propose (public, phone-width), community_board (public), proposals (staff triage and
adoption), council (staff: meetings and decisions); data (cached readers), labels, pickers."""
