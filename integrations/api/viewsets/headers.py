"""The request headers the viewsets document, declared once. Their JSON Schema is
integrations.api.schema.HEADER_SCHEMAS (what the API accepts), which the schema's
post-processing hook puts on every operation that names them."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read: the change is refused (412) if the resource changed since.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="A key of yours (e.g. a UUID): a retry with the same key and body gets the first response back.",
)
