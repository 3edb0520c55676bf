"""Service items and FAQs: storage, import, hybrid retrieval and the answer policy."""
