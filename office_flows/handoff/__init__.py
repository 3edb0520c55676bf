"""Human handoff: a conversation taken over by a hotline operator and handed back."""
