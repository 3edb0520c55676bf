"""knowledge_base/importers."""
