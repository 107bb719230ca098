"""Identity and access: users, login sessions, API tokens, personal access tokens."""
