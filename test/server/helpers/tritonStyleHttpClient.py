"""
An HTTP client written the way Triton's Python client (tritonclient.http) is, on Python's standard
library: the same URLs, bodies and headers as its InferenceServerClient methods send (JSON without
a Content-Type, an empty body for unregister, Inference-Header-Content-Length when binary tensors
follow the JSON), errors read as its _raise_if_error reads them, and replies read as its
InferResult reads them. Where tritonclient parses with rapidjson (which takes NaN and Infinity),
this parses with Python's json module, which takes them too.
"""

import http.client
import json
import struct
from urllib.parse import quote

from tritonStyleCommon import InferenceServerException


class InferInput:
    """tritonclient.http.InferInput: JSON data, binary data (binary_data_size) or a shared-memory region."""

    def __init__(self, name, shape, datatype):
        self._name, self._shape, self._datatype = name, shape, datatype
        self._parameters, self._data, self._raw_data = {}, None, None

    def set_data_from_list(self, values, binary_data=True):
        """set_data_from_numpy for a flat list: packed little-endian when binary, else the values themselves."""
        for key in ("shared_memory_region", "shared_memory_byte_size", "shared_memory_offset"):
            self._parameters.pop(key, None)
        if not binary_data:
            self._parameters.pop("binary_data_size", None)
            self._raw_data, self._data = None, list(values)
        else:
            code = {"FP32": "f", "FP64": "d", "INT64": "q", "UINT64": "Q"}[self._datatype]
            self._data, self._raw_data = None, struct.pack(f"<{len(values)}{code}", *values)
            self._parameters["binary_data_size"] = len(self._raw_data)
        return self

    def set_data_from_bytes(self, raw):
        """set_data_from_numpy(binary_data=True) for an array whose bytes are already laid out."""
        self._data, self._raw_data = None, raw
        self._parameters["binary_data_size"] = len(raw)
        return self

    def set_shared_memory(self, region_name, byte_size, offset=0):
        self._data, self._raw_data = None, None
        self._parameters.pop("binary_data_size", None)
        self._parameters["shared_memory_region"] = region_name
        self._parameters["shared_memory_byte_size"] = byte_size
        if offset != 0:
            self._parameters["shared_memory_offset"] = offset
        return self

    def _get_tensor(self):
        tensor = {"name": self._name, "shape": self._shape, "datatype": self._datatype}
        if self._parameters:
            tensor["parameters"] = self._parameters
        if self._parameters.get("shared_memory_region") is None and self._raw_data is None and self._data is not None:
            tensor["data"] = self._data
        return tensor


class InferRequestedOutput:
    """tritonclient.http.InferRequestedOutput: binary_data, and shared memory (which turns binary_data off)."""

    def __init__(self, name, binary_data=True):
        self._name, self._binary = name, binary_data
        self._parameters = {"binary_data": binary_data}

    def set_shared_memory(self, region_name, byte_size, offset=0):
        if self._binary:
            self._parameters["binary_data"] = False
        self._parameters["shared_memory_region"] = region_name
        self._parameters["shared_memory_byte_size"] = byte_size
        if offset != 0:
            self._parameters["shared_memory_offset"] = offset

    def _get_tensor(self):
        return {"name": self._name, "parameters": self._parameters}


class InferResult:
    """tritonclient.http.InferResult: the JSON header, then each binary output at its place in the rest."""

    def __init__(self, headers, body):
        header_length = headers.get("Inference-Header-Content-Length")
        self.header_length = None if header_length is None else int(header_length)
        self._result = json.loads(body if header_length is None else body[: self.header_length])
        self._buffer = b"" if header_length is None else body[self.header_length :]
        self._starts, start = {}, 0
        for output in self._result.get("outputs", []):
            size = output.get("parameters", {}).get("binary_data_size")
            if size is not None:
                self._starts[output["name"]] = start
                start += size

    def get_response(self):
        return self._result

    def get_output(self, name):
        return next((output for output in self._result["outputs"] if output["name"] == name), None)

    def binary(self, name):
        """The bytes as_numpy reads for a binary output."""
        start = self._starts[name]
        return self._buffer[start : start + self.get_output(name)["parameters"]["binary_data_size"]]


class InferenceServerClient:
    """The tritonclient.http.InferenceServerClient methods the checks call, sending the same requests."""

    def __init__(self, url):
        host, port = url.rsplit(":", 1)
        self._connection = http.client.HTTPConnection(host, int(port), timeout=20)

    def close(self):
        self._connection.close()

    def _request(self, method, request_uri, body=None, headers=None):
        self._connection.request(method, "/" + request_uri, body=body, headers=headers or {})
        response = self._connection.getresponse()
        content = response.read()
        if response.status != 200:
            # _raise_if_error: the error body's message, and the status code as a string.
            message = json.loads(content)["error"] if content else "client received an empty response from the server."
            raise InferenceServerException(message, str(response.status))
        return response.headers, content

    def get_server_metadata(self):
        return json.loads(self._request("GET", "v2")[1])

    def get_inference_statistics(self, model_name=""):
        url = f"v2/models/{quote(model_name)}/stats" if model_name != "" else "v2/models/stats"
        return json.loads(self._request("GET", url)[1])

    def get_model_config(self, model_name, model_version=""):
        version = f"/versions/{model_version}" if model_version != "" else ""
        return json.loads(self._request("GET", f"v2/models/{quote(model_name)}{version}/config")[1])

    def get_log_settings(self):
        return json.loads(self._request("GET", "v2/logging")[1])

    def update_log_settings(self, settings):
        return json.loads(self._request("POST", "v2/logging", json.dumps(settings).encode())[1])

    def get_system_shared_memory_status(self, region_name=""):
        region = f"/region/{quote(region_name)}" if region_name != "" else ""
        return json.loads(self._request("GET", f"v2/systemsharedmemory{region}/status")[1])

    def register_system_shared_memory(self, name, key, byte_size, offset=0):
        body = json.dumps({"key": key, "offset": offset, "byte_size": byte_size}).encode()
        self._request("POST", f"v2/systemsharedmemory/region/{quote(name)}/register", body)

    def unregister_system_shared_memory(self, name=""):
        region = f"/region/{quote(name)}" if name != "" else ""
        self._request("POST", f"v2/systemsharedmemory{region}/unregister", b"")

    def infer(self, model_name, inputs, outputs=None, request_id=""):
        """_get_inference_request and infer: without outputs every output is asked for as binary data."""
        request, parameters = {}, {}
        if request_id != "":
            request["id"] = request_id
        request["inputs"] = [infer_input._get_tensor() for infer_input in inputs]
        if outputs:
            request["outputs"] = [output._get_tensor() for output in outputs]
        else:
            parameters["binary_data_output"] = True
        if parameters:
            request["parameters"] = parameters
        request_json = json.dumps(request)
        binary = [infer_input._raw_data for infer_input in inputs if infer_input._raw_data is not None]
        headers = {"Inference-Header-Content-Length": str(len(request_json))} if binary else {}
        body = request_json.encode() + b"".join(binary)
        return InferResult(*self._request("POST", f"v2/models/{quote(model_name)}/infer", body, headers))
