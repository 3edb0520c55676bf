"""Embedding-model tooling for the knowledge base (model conversion and loading helpers)."""
