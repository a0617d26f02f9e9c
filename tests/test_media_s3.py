"""Media on S3: with DJANGO_MEDIA_S3_BUCKET set, uploads go to the bucket through django-storages,
keep their content checks, and are served by the site's own view with the same headers.

The bucket is a real S3 endpoint over HTTP on 127.0.0.1 (moto's server), so boto3 and
django-storages talk to it exactly as they would to AWS or MinIO; nothing leaves this machine.
"""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sections.models import SlideImage

from .smtp_sink import free_port

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

BUCKET = "cursus-media"
ADD_URL = "/beheer/sections/slideimage/add/"


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_media(settings, s3_endpoint, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET, "endpoint_url": s3_endpoint, "region_name": "eu-west-1",
                "access_key": "testing", "secret_key": "testing", "location": "media",
                "default_acl": "private", "querystring_auth": True, "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_an_upload_goes_to_the_bucket_and_is_served_with_its_checks(client, trainer, make_image, s3_media):
    client.force_login(trainer)
    png = make_image("PNG")
    response = client.post(ADD_URL, {"upload": SimpleUploadedFile("foto.bin", png, "image/png"), "alt_text": "Groen"})
    assert response.status_code == 302, response.content.decode()[:1000]
    image = SlideImage.objects.get()
    keys = [item["Key"] for item in s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"media/{image.file.name}"]
    stored = s3_media.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()
    assert stored[:8] == b"\x89PNG\r\n\x1a\n"

    served = client.get(image.get_absolute_url())
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == stored
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_fake_image_never_reaches_the_bucket(client, trainer, s3_media):
    client.force_login(trainer)
    fake = SimpleUploadedFile("nep.png", b"<html><script>alert(1)</script></html>", "image/png")
    response = client.post(ADD_URL, {"upload": fake, "alt_text": "Nep"})
    assert response.status_code == 200  # the form again, with its error
    assert not SlideImage.objects.exists()
    assert "Contents" not in s3_media.list_objects_v2(Bucket=BUCKET)


def test_an_image_missing_from_the_bucket_is_a_404(client, trainer, make_image, s3_media):
    client.force_login(trainer)
    client.post(ADD_URL, {"upload": SimpleUploadedFile("a.png", make_image("PNG"), "image/png"), "alt_text": "A"})
    image = SlideImage.objects.get()
    s3_media.delete_object(Bucket=BUCKET, Key=f"media/{image.file.name}")
    assert client.get(image.get_absolute_url()).status_code == 404
