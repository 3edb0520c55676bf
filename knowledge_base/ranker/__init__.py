"""The learned relevance and answerability stage after candidate retrieval (issue 17)."""
