"""GET /healthz reports database, Redis and the Celery worker, naming what fails."""

import pytest


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_all_reachable_with_a_running_worker(client, celery_worker_process):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "redis", "celery"}


def test_no_worker_is_named(client, db, settings):
    settings.HEALTHZ_CELERY_TIMEOUT = 0.3
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["celery"]
    assert response.json()["checks"]["database"] == {"ok": True}


def test_redis_down_is_named(client, db, settings, tmp_path):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"unix://{tmp_path}/nothing-here.sock"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis", "celery"]


def test_answers_on_enterprise_hosts_without_a_login(client, make_enterprise, settings):
    settings.HEALTHZ_CELERY_TIMEOUT = 0.3
    make_enterprise(slug="health-co")
    response = client.get("/healthz", HTTP_HOST="health-co.localhost")
    assert response.status_code == 503 and response.json()["checks"]["database"] == {"ok": True}
