"""
A gRPC client written the way Triton's Python client (tritonclient.grpc) is: each request built
field by field as its InferenceServerClient method builds it, on a channel with its options,
errors read as its InferenceServerException reads them, and a stream driven as its _InferStream
drives one. tritonclient itself is not installable here, so the messages come from protoc's
descriptor set of the same .proto files its generated code comes from.
"""

import base64
import json
import queue
import threading

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.json_format import MessageToJson
from tritonStyleCommon import InferenceServerException

# tritonclient.grpc's channel: unlimited messages, and its KeepAliveOptions defaults.
INT32_MAX = 2**31 - 1
CHANNEL_OPTIONS = [
    ("grpc.max_send_message_length", INT32_MAX),
    ("grpc.max_receive_message_length", INT32_MAX),
    ("grpc.keepalive_time_ms", INT32_MAX),
    ("grpc.keepalive_timeout_ms", 20000),
    ("grpc.keepalive_permit_without_calls", False),
    ("grpc.http2.max_pings_without_data", 2),
]


def message_class(pool, descriptor):
    """The class of a message type, by whichever call this protobuf version has."""
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


class Messages:
    """Message classes by name in one proto package, as a generated service_pb2 module gives them."""

    def __init__(self, pool, package):
        self._pool, self._package = pool, package

    def __getattr__(self, name):
        return self.named(name)

    def named(self, name):
        """A message by its name in the package; nested ones as Outer.Inner."""
        return message_class(self._pool, self._pool.FindMessageTypeByName(f"{self._package}.{name}"))


class Stub:
    """What protoc's Python gRPC plugin generates for a service: one callable per method."""

    def __init__(self, channel, pool, service):
        for method in pool.FindServiceByName(service).methods:
            kind = "stream_stream" if method.client_streaming else "unary_unary"
            response = message_class(pool, method.output_type)
            serialize = lambda message: message.SerializeToString()  # noqa: E731
            call = getattr(channel, kind)(f"/{service}/{method.name}", request_serializer=serialize, response_deserializer=response.FromString)
            setattr(self, method.name, call)


def raise_error_grpc(rpc_error):
    raise InferenceServerException(rpc_error.details(), str(rpc_error.code())) from None


class InferInput:
    """tritonclient.grpc.InferInput: the tensor message, and raw bytes or shared-memory parameters."""

    def __init__(self, service_pb2, name, shape, datatype):
        self._input = service_pb2.named("ModelInferRequest.InferInputTensor")(name=name, datatype=datatype)
        self._input.shape.extend(shape)
        self._raw_content = None

    def set_data_from_bytes(self, raw):
        self._input.parameters.pop("shared_memory_region", None)
        self._input.parameters.pop("shared_memory_byte_size", None)
        self._input.parameters.pop("shared_memory_offset", None)
        self._raw_content = raw

    def set_shared_memory(self, region_name, byte_size, offset=0):
        self._input.ClearField("contents")
        self._raw_content = None
        self._input.parameters["shared_memory_region"].string_param = region_name
        self._input.parameters["shared_memory_byte_size"].int64_param = byte_size
        if offset != 0:
            self._input.parameters["shared_memory_offset"].int64_param = offset


class InferRequestedOutput:
    """tritonclient.grpc.InferRequestedOutput."""

    def __init__(self, service_pb2, name):
        self._output = service_pb2.named("ModelInferRequest.InferRequestedOutputTensor")(name=name)

    def set_shared_memory(self, region_name, byte_size, offset=0):
        self._output.parameters["shared_memory_region"].string_param = region_name
        self._output.parameters["shared_memory_byte_size"].int64_param = byte_size
        if offset != 0:
            self._output.parameters["shared_memory_offset"].int64_param = offset


def as_bytes(response, name):
    """tritonclient's InferResult.as_numpy lookup: the raw contents at the output's index among the outputs."""
    for index, output in enumerate(response.outputs):
        if output.name == name:
            return response.raw_output_contents[index] if index < len(response.raw_output_contents) else None
    return None


class InferenceServerClient:
    """The tritonclient.grpc.InferenceServerClient methods the checks call, building the same requests."""

    def __init__(self, descriptor_file, url):
        with open(descriptor_file, "rb") as file:
            descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(file.read())
        pool = descriptor_pool.DescriptorPool()
        for file in descriptor_set.file:
            pool.Add(file)
        self.service_pb2 = Messages(pool, "inference")
        self.health_pb2 = Messages(pool, "grpc.health.v1")
        self.pool = pool
        self._channel = grpc.insecure_channel(url, options=CHANNEL_OPTIONS)
        self._client_stub = Stub(self._channel, pool, "inference.GRPCInferenceService")
        self._health_stub = Stub(self._channel, pool, "grpc.health.v1.Health")

    def close(self):
        self._channel.close()

    def _call(self, method, request):
        try:
            return getattr(self._client_stub, method)(request=request, metadata=(), timeout=None)
        except grpc.RpcError as rpc_error:
            raise_error_grpc(rpc_error)

    def get_model_config(self, model_name, model_version="", as_json=False):
        response = self._call("ModelConfig", self.service_pb2.ModelConfigRequest(name=model_name, version=model_version))
        return json.loads(MessageToJson(response, preserving_proto_field_name=True)) if as_json else response

    def load_model(self, model_name, config=None, files=None):
        request = self.service_pb2.RepositoryModelLoadRequest(model_name=model_name)
        if config is not None:
            request.parameters["config"].string_param = config
        for path, content in (files or {}).items():
            request.parameters[path].bytes_param = content
        self._call("RepositoryModelLoad", request)

    def get_log_settings(self, as_json=False):
        response = self._call("LogSettings", self.service_pb2.LogSettingsRequest())
        return json.loads(MessageToJson(response, preserving_proto_field_name=True)) if as_json else response

    def update_log_settings(self, settings, as_json=False):
        request = self.service_pb2.LogSettingsRequest()
        for key, value in settings.items():
            if value is None:
                request.settings[key]
            elif key == "log_file" or key == "log_format":
                request.settings[key].string_param = value
            elif key == "log_verbose_level":
                request.settings[key].uint32_param = value
            else:
                request.settings[key].bool_param = value
        response = self._call("LogSettings", request)
        return json.loads(MessageToJson(response, preserving_proto_field_name=True)) if as_json else response

    def get_system_shared_memory_status(self, region_name="", as_json=False):
        response = self._call("SystemSharedMemoryStatus", self.service_pb2.SystemSharedMemoryStatusRequest(name=region_name))
        return json.loads(MessageToJson(response, preserving_proto_field_name=True)) if as_json else response

    def register_system_shared_memory(self, name, key, byte_size, offset=0):
        request = self.service_pb2.SystemSharedMemoryRegisterRequest(name=name, key=key, offset=offset, byte_size=byte_size)
        self._call("SystemSharedMemoryRegister", request)

    def unregister_system_shared_memory(self, name=""):
        self._call("SystemSharedMemoryUnregister", self.service_pb2.SystemSharedMemoryUnregisterRequest(name=name))

    def register_cuda_shared_memory(self, name, raw_handle, device_id, byte_size):
        request = self.service_pb2.CudaSharedMemoryRegisterRequest(
            name=name, raw_handle=base64.b64decode(raw_handle), device_id=device_id, byte_size=byte_size
        )
        self._call("CudaSharedMemoryRegister", request)

    def _inference_request(self, model_name, inputs, outputs=None, request_id="", model_version=""):
        request = self.service_pb2.ModelInferRequest(model_name=model_name, model_version=model_version)
        if request_id != "":
            request.id = request_id
        for infer_input in inputs:
            request.inputs.extend([infer_input._input])
            if infer_input._raw_content is not None:
                request.raw_input_contents.extend([infer_input._raw_content])
        for infer_output in outputs or []:
            request.outputs.extend([infer_output._output])
        return request

    def infer(self, model_name, inputs, outputs=None, request_id=""):
        return self._call("ModelInfer", self._inference_request(model_name, inputs, outputs, request_id))

    def start_stream(self, callback):
        self._stream = InferStream(callback)
        try:
            iterator = self._client_stub.ModelStreamInfer(iter(self._stream._request_queue.get, None), metadata=())
        except grpc.RpcError as rpc_error:
            raise_error_grpc(rpc_error)
        self._stream.init_handler(iterator)

    def async_stream_infer(self, model_name, inputs, outputs=None, request_id=""):
        self._stream._request_queue.put(self._inference_request(model_name, inputs, outputs, request_id))

    def stop_stream(self):
        self._stream.close()
        self._stream = None

    def health_check(self, service):
        """What grpc_health.v1's HealthStub.Check (grpcio-health-checking) sends."""
        try:
            return self._health_stub.Check(self.health_pb2.HealthCheckRequest(service=service), timeout=20)
        except grpc.RpcError as rpc_error:
            raise_error_grpc(rpc_error)


class InferStream:
    """tritonclient's _InferStream: a request queue feeding the call, a thread calling back per response."""

    def __init__(self, callback):
        self._callback = callback
        self._request_queue = queue.Queue()
        self._handler = None

    def init_handler(self, response_iterator):
        self._response_iterator = response_iterator
        self._handler = threading.Thread(target=self._process_response)
        self._handler.start()

    def close(self):
        self._request_queue.put(None)
        self._handler.join()

    def _process_response(self):
        try:
            for response in self._response_iterator:
                error = InferenceServerException(response.error_message) if response.error_message != "" else None
                self._callback(response=response, error=error)
        except grpc.RpcError as rpc_error:
            self._callback(response=None, error=InferenceServerException(rpc_error.details(), str(rpc_error.code())))
