"""Translate the service URLs that `core.runner` and operators hand us."""


def broker_url_from_redis_url(redis_url: str) -> str:
    """Kombu/Celery spell a unix-socket Redis as ``redis+socket://``; redis-py as ``unix://``."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url[len("unix://"):]
    return redis_url
