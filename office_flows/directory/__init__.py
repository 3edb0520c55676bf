"""The directory: departments, people, their roles and chat identities, and delegations."""
