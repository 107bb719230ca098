import pytest


@pytest.mark.django_db
def test_about(client):
    r = client.get("/api/server/about")
    assert r.status_code == 200
    assert r.json()["version"].startswith("2.80.0")
