"""Index of staff sign-ins (user → session keys), so that deactivating a user ends their sessions."""
