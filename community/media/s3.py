"""FANFORGE_MEDIA_STORAGE=s3: uploads in an S3-compatible bucket (AWS S3, MinIO, Aliyun
OSS, Tencent COS, ...), through boto3, the providers' own SDK (it signs every request).

Settings (FANFORGE_ environment variables, or instance/config.py without the prefix):

    MEDIA_S3_BUCKET             the bucket (required)
    MEDIA_S3_ENDPOINT_URL       another store's endpoint, e.g. http://minio:9000 (none: AWS)
    MEDIA_S3_REGION             its region (e.g. us-east-1, oss-cn-hangzhou)
    MEDIA_S3_ACCESS_KEY_ID      the keys; none: boto3's own chain (environment, instance
    MEDIA_S3_SECRET_ACCESS_KEY  role, ~/.aws), as on a cloud host with a role
    MEDIA_S3_ADDRESSING         "auto" (default), "path" (MinIO) or "virtual" (OSS)
    MEDIA_S3_PUBLIC_URL         optional: a public base (a CDN, or the bucket's own URL)
                                from which public images are read as <base>/<area>/<name>

Each area ("media", "uploads") is a key prefix in the one bucket. Objects are written
with their content type and a year's Cache-Control (names are never reused). With
MEDIA_S3_PUBLIC_URL, /media/<name> and /uploads/<name> still check the name as before and
then redirect to the public URL instead of passing the bytes through the web process;
members' data exports and trial photos are always read through the app (never public).
The bucket then must let anyone read an object by its key but not list them.
"""

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .storage import checked_name, register_backend

MISSING = {"NoSuchKey", "404", "NotFound"}
CACHE_CONTROL = "public, max-age=31536000, immutable"


class S3Storage:
    def __init__(self, client, bucket, prefix, public_url=None):
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.public_base = public_url.rstrip("/") if public_url else None

    def _key(self, name):
        return f"{self.prefix}/{checked_name(name)}"

    def put(self, name, data, content_type):
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data,
                               ContentType=content_type, CacheControl=CACHE_CONTROL)

    def get(self, name):
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise
        with found["Body"] as body:
            return body.read()

    def delete(self, name):
        # S3 answers a delete of a missing key with success: missing is fine.
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def public_url(self, name):
        """Where a browser may read the object directly, or None (read through the app)."""
        if self.public_base is None:
            return None
        return f"{self.public_base}/{self._key(name)}"


def client_for(config):
    """A boto3 S3 client from the app's MEDIA_S3_* settings."""
    addressing = config.get("MEDIA_S3_ADDRESSING") or "auto"
    if addressing not in ("auto", "path", "virtual"):
        raise RuntimeError(f"FANFORGE_MEDIA_S3_ADDRESSING={addressing!r}: "
                           "not one of auto, path, virtual")
    return boto3.session.Session().client(
        "s3", endpoint_url=config.get("MEDIA_S3_ENDPOINT_URL") or None,
        region_name=config.get("MEDIA_S3_REGION") or None,
        aws_access_key_id=config.get("MEDIA_S3_ACCESS_KEY_ID") or None,
        aws_secret_access_key=config.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
        config=Config(s3={"addressing_style": addressing}, connect_timeout=5,
                      read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}))


def _s3(app, area):
    bucket = app.config.get("MEDIA_S3_BUCKET")
    if not bucket:
        raise RuntimeError("FANFORGE_MEDIA_STORAGE=s3 needs FANFORGE_MEDIA_S3_BUCKET")
    return S3Storage(client_for(app.config), bucket, area, app.config.get("MEDIA_S3_PUBLIC_URL"))


def register():
    register_backend("s3", _s3)
