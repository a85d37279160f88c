"""SQLAlchemy adapters: models, engine, repositories, unit of work."""
