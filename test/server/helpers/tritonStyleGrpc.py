"""
Checks of the server's gRPC extensions, each made the way a user of Triton's Python client makes
it (through tritonStyleGrpcClient.py, and system shared memory made as
tritonclient.utils.shared_memory makes it: multiprocessing.shared_memory, an object shm_open'ed
under /dev/shm and mapped).

Usage: tritonStyleGrpc.py <descriptor set> <address> <check> <arguments as JSON>
Prints one JSON object of facts, which the test compares with values it computed itself.
"""

import base64
import json
import struct
import sys
import threading

from tritonStyleCommon import (
    create_shared_memory_region,
    destroy_shared_memory_region,
    floats,
    int64s,
    read_bytes,
    refused,
    set_shared_memory_region,
)
from tritonStyleGrpcClient import InferenceServerClient, InferInput, InferRequestedOutput, as_bytes


def config_tensors(client, tensors):
    data_type = client.pool.FindEnumTypeByName("inference.DataType")
    return [{"name": t.name, "data_type": data_type.values_by_number[t.data_type].name, "dims": list(t.dims)} for t in tensors]


def check_config(client, args):
    """What image_client.py does first: read the model's config, then build the request from it."""
    config = client.get_model_config(args["model"]).config
    as_json = client.get_model_config(args["model"], "1", as_json=True)["config"]
    (model_input,) = config_tensors(client, config.input)
    (model_output,) = config_tensors(client, config.output)
    shape = ([1] if config.max_batch_size > 0 else []) + model_input["dims"]
    # The config's TYPE_FP32 is the protocol's FP32.
    infer_input = InferInput(client.service_pb2, model_input["name"], shape, model_input["data_type"][len("TYPE_") :])
    infer_input.set_data_from_bytes(read_bytes(args["input_file"]))
    output = InferRequestedOutput(client.service_pb2, model_output["name"])
    response = client.infer(args["model"], [infer_input], [output], request_id="config-driven")
    return {
        "config": {
            "name": config.name,
            "platform": config.platform,
            "backend": config.backend,
            "max_batch_size": config.max_batch_size,
            "input": config_tensors(client, config.input),
            "output": config_tensors(client, config.output),
        },
        "as_json": {"name": as_json["name"], "max_batch_size": as_json["max_batch_size"], "input_dims": as_json["input"][0]["dims"]},
        "request_shape": shape,
        "response": {"id": response.id, "output": response.outputs[0].name, "shape": list(response.outputs[0].shape)},
        "probabilities": floats(as_bytes(response, model_output["name"])),
        "missing": refused(lambda: client.get_model_config("nope")),
    }


def check_stream(client, args):
    """start_stream, async_stream_infer good and bad requests, stop_stream: every response through the callback."""
    received, answered = [], threading.Semaphore(0)

    def callback(response, error):
        if response is None:
            received.append({"stream_error": {"status": error.status, "message": error.msg}})
        else:
            infer = response.infer_response
            # What a streaming client reads to know a request is complete (Triton's decoupled_models.md).
            final = infer.parameters["triton_final_response"].bool_param if "triton_final_response" in infer.parameters else None
            entry = {"id": infer.id, "error": error.msg if error else None, "final": final}
            if error is None:
                entry |= {"model": infer.model_name, "shape": list(infer.outputs[0].shape), "probabilities": floats(infer.raw_output_contents[0])}
            received.append(entry)
        answered.release()

    def image_input(file, shape):
        infer_input = InferInput(client.service_pb2, args["input_name"], shape, "FP32")
        infer_input.set_data_from_bytes(read_bytes(file))
        return [infer_input]

    client.start_stream(callback=callback)
    client.async_stream_infer(args["model"], image_input(args["input_files"][0], [1, 28, 28, 1]), request_id="good-1")
    client.async_stream_infer("nope", image_input(args["input_files"][0], [1, 28, 28, 1]), request_id="bad-model")
    client.async_stream_infer(args["model"], image_input(args["input_files"][0], [1, 28, 28]), request_id="bad-shape")
    # The stream is still open once both errors have come back on it: the next request is answered.
    for _ in range(3):
        answered.acquire(timeout=20)
    client.async_stream_infer(args["model"], image_input(args["input_files"][1], [1, 28, 28, 1]), request_id="good-2")
    client.stop_stream()
    return {"responses": received}


def check_health(client, args):
    status_name = client.pool.FindEnumTypeByName("grpc.health.v1.HealthCheckResponse.ServingStatus").values_by_number
    return {
        "server": status_name[client.health_check("").status].name,
        "inference": status_name[client.health_check("inference.GRPCInferenceService").status].name,
        "unknown": refused(lambda: client.health_check("nope")),
    }


def region_statuses(client, name=""):
    regions = client.get_system_shared_memory_status(name).regions
    return {key: {"name": r.name, "key": r.key, "offset": r.offset, "byte_size": r.byte_size} for key, r in sorted(regions.items())}


def check_shared_memory(client, args):
    """simple_grpc_shm_client.py's steps: regions made and registered, inference through them, unregistered."""
    digits, types = args["digits"], args["types"]
    image = read_bytes(digits["input_file"])
    in_key, out_key = args["keys"]["in"], args["keys"]["out"]
    in_region = create_shared_memory_region(in_key, 4096)
    out_region = create_shared_memory_region(out_key, 256)
    try:
        fp32, int64 = struct.pack("<2f", *types["fp32"]), struct.pack("<2q", *map(int, types["int64"]))
        set_shared_memory_region(in_region, [image, fp32, int64])
        client.register_system_shared_memory("py_in", in_key, 4096)
        # The output region is the 128 bytes from offset 64 of its object.
        client.register_system_shared_memory("py_out", out_key, 128, offset=64)
        registered = region_statuses(client)
        one_region = region_statuses(client, "py_out")

        image_input = InferInput(client.service_pb2, digits["input_name"], [1, 28, 28, 1], "FP32")
        image_input.set_shared_memory("py_in", len(image))
        probabilities = InferRequestedOutput(client.service_pb2, digits["output_name"])
        probabilities.set_shared_memory("py_out", 40)
        digits_response = client.infer(digits["model"], [image_input], [probabilities], request_id="shm-digits")

        fp32_input = InferInput(client.service_pb2, "in_fp32", [1, 2], "FP32")
        fp32_input.set_shared_memory("py_in", 8, offset=len(image))
        int64_input = InferInput(client.service_pb2, "in_int64", [1, 2], "INT64")
        int64_input.set_shared_memory("py_in", 16, offset=len(image) + 8)
        fp32_output = InferRequestedOutput(client.service_pb2, "out_fp32")
        fp32_output.set_shared_memory("py_out", 8, offset=40)
        # out_int64 comes back in the response, so as_numpy must find it by its index among the outputs.
        int64_output = InferRequestedOutput(client.service_pb2, "out_int64")
        types_response = client.infer(types["model"], [fp32_input, int64_input], [fp32_output, int64_output])

        client.unregister_system_shared_memory("py_in")
        after_one = region_statuses(client)
        client.unregister_system_shared_memory()
        after_all = region_statuses(client)
        return {
            "registered": registered,
            "one_region": one_region,
            "digits": {
                "id": digits_response.id,
                "outputs": [{"name": o.name, "datatype": o.datatype, "shape": list(o.shape)} for o in digits_response.outputs],
                "raw_output_sizes": [len(raw) for raw in digits_response.raw_output_contents],
                # What the server wrote into the object, read through the client's own mapping.
                "probabilities": floats(out_region.buf, 64, 10),
            },
            "types": {
                "outputs": [o.name for o in types_response.outputs],
                "raw_output_sizes": [len(raw) for raw in types_response.raw_output_contents],
                "out_fp32": floats(out_region.buf, 64 + 40, 2),
                "out_int64": int64s(as_bytes(types_response, "out_int64")),
            },
            "after_unregister_one": after_one,
            "after_unregister_all": after_all,
            "status_of_unregistered": refused(lambda: client.get_system_shared_memory_status("py_in")),
            "infer_from_unregistered": refused(lambda: client.infer(digits["model"], [image_input])),
        }
    finally:
        destroy_shared_memory_region(in_region)
        destroy_shared_memory_region(out_region)


def check_cuda_shared_memory(client, args):
    raw_handle = base64.b64encode(bytes(64))
    return {"register": refused(lambda: client.register_cuda_shared_memory("gpu", raw_handle, 0, 1024))}


def flat_settings(response):
    """Each LogSettingsResponse setting as [the oneof member set, its value]."""
    settings = response.settings
    return {key: [settings[key].WhichOneof("parameter_choice"), getattr(settings[key], settings[key].WhichOneof("parameter_choice"))] for key in sorted(settings)}


def check_log_settings(client, args):
    before = client.get_log_settings()
    updated = client.update_log_settings({"log_verbose_level": 1, "log_format": "ISO8601", "log_info": False})
    as_json = client.get_log_settings(as_json=True)
    bad = refused(lambda: client.update_log_settings({"log_format": "xml"}))
    restored = client.update_log_settings({"log_verbose_level": 0, "log_format": "default", "log_info": True})
    return {
        "before": flat_settings(before),
        "updated": flat_settings(updated),
        "as_json": as_json,
        "bad": bad,
        "restored": flat_settings(restored),
    }


def check_load_override(client, args):
    """A config override as a tritonclient user writes one: get_model_config(as_json=True), one field changed."""
    model, rows = args["model"], args["rows"]
    config = client.get_model_config(model, as_json=True)["config"]
    before = config["max_batch_size"]
    config["max_batch_size"] = args["override_max_batch_size"]

    def run(count):
        fp32_input = InferInput(client.service_pb2, "in_fp32", [count, 2], "FP32")
        fp32_input.set_data_from_bytes(struct.pack(f"<{count * 2}f", *range(count * 2)))
        int64_input = InferInput(client.service_pb2, "in_int64", [count, 2], "INT64")
        int64_input.set_data_from_bytes(struct.pack(f"<{count * 2}q", *range(count * 2)))
        return client.infer(model, [fp32_input, int64_input], [InferRequestedOutput(client.service_pb2, "out_int64")])

    client.load_model(model, config=json.dumps(config))
    overridden = client.get_model_config(model).config.max_batch_size
    too_many = refused(lambda: run(rows))
    fits = int64s(as_bytes(run(args["override_max_batch_size"]), "out_int64"))
    bad = refused(lambda: client.load_model(model, config=json.dumps({"max_batch_size": "lots"})))
    after_bad = client.get_model_config(model).config.max_batch_size
    client.load_model(model)
    restored = client.get_model_config(model).config.max_batch_size
    return {
        "json_dims": config["input"][0]["dims"],
        "before": before,
        "overridden": overridden,
        "too_many": too_many,
        "fits": fits,
        "bad": bad,
        "after_bad": after_bad,
        "restored": restored,
        "restored_runs": len(as_bytes(run(rows), "out_int64")) // 8,
    }


CHECKS = {
    "config": check_config,
    "stream": check_stream,
    "health": check_health,
    "shared_memory": check_shared_memory,
    "cuda_shared_memory": check_cuda_shared_memory,
    "log_settings": check_log_settings,
    "load_override": check_load_override,
}

if __name__ == "__main__":
    descriptor_file, address, check, arguments = sys.argv[1:5]
    client = InferenceServerClient(descriptor_file, address)
    try:
        print(json.dumps(CHECKS[check](client, json.loads(arguments))))
    finally:
        client.close()
