"""The API's answer to OPTIONS: names the view and its media types, nothing more.

DRF's SimpleMetadata builds each writable method's fields by instantiating the view's
serializer — which our APIs do not declare on the view (each method names its own input
serializer), so OPTIONS raised an AssertionError (a 500, found by schemathesis). The fields
are documented by the OpenAPI schema (/api/schema/), so OPTIONS does not repeat them.
"""
from rest_framework.metadata import SimpleMetadata


class ApiMetadata(SimpleMetadata):
    def determine_actions(self, request, view):
        return {}
