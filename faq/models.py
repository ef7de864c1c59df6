"""Policy Q&A page models (政策问答)."""
