"""
Checks of the server's HTTP extensions, each made the way a user of Triton's Python client makes
it (through tritonStyleHttpClient.py, and system shared memory made as
tritonclient.utils.shared_memory makes it: multiprocessing.shared_memory, an object shm_open'ed
under /dev/shm and mapped).

Usage: tritonStyleHttp.py <host:port> <check> <arguments as JSON>
Prints one JSON object of facts, which the test compares with values it computed itself.
"""

import json
import sys

from tritonStyleCommon import (
    create_shared_memory_region,
    destroy_shared_memory_region,
    floats,
    read_bytes,
    refused,
    set_shared_memory_region,
)
from tritonStyleHttpClient import InferenceServerClient, InferInput, InferRequestedOutput


def check_config(client, args):
    """What image_client.py does: read the config, build a binary request from it, read the binary reply."""
    config = client.get_model_config(args["model"])
    (model_input,), (model_output,) = config["input"], config["output"]
    shape = ([1] if config["max_batch_size"] > 0 else []) + model_input["dims"]
    # The config's TYPE_FP32 is the protocol's FP32.
    image = InferInput(model_input["name"], shape, model_input["data_type"][len("TYPE_") :])
    image.set_data_from_bytes(read_bytes(args["input_file"]))
    named = client.infer(args["model"], [image], [InferRequestedOutput(model_output["name"])], request_id="config-driven")
    # Without outputs named, tritonclient asks for all of them as binary data.
    unnamed = client.infer(args["model"], [image])
    return {
        "config": {key: config[key] for key in ("name", "platform", "backend", "max_batch_size")}
        | {"input": [{key: t[key] for key in ("name", "data_type", "dims")} for t in config["input"]]}
        | {"output": [{key: t[key] for key in ("name", "data_type", "dims")} for t in config["output"]]},
        "versioned_is_same": client.get_model_config(args["model"], "1") == config,
        "request_shape": shape,
        "named": {
            "header_length": named.header_length,
            "response": named.get_response(),
            "probabilities": floats(named.binary(model_output["name"])),
        },
        "unnamed": {"output": unnamed.get_output(model_output["name"]), "probabilities": floats(unnamed.binary(model_output["name"]))},
        "missing": refused(lambda: client.get_model_config("nope")),
    }


def check_shared_memory(client, args):
    """simple_http_shm_client.py's steps: regions made and registered, inference through them, unregistered."""
    image = read_bytes(args["input_file"])
    in_key, out_key = args["keys"]["in"], args["keys"]["out"]
    in_region = create_shared_memory_region(in_key, len(image))
    out_region = create_shared_memory_region(out_key, 256)
    try:
        set_shared_memory_region(in_region, [image])
        client.register_system_shared_memory("py_in", in_key, len(image))
        # The output region is the 128 bytes from offset 64 of its object.
        client.register_system_shared_memory("py_out", out_key, 128, offset=64)
        registered = client.get_system_shared_memory_status()
        one_region = client.get_system_shared_memory_status("py_out")

        image_input = InferInput(args["input_name"], [1, 28, 28, 1], "FP32").set_shared_memory("py_in", len(image))
        probabilities = InferRequestedOutput(args["output_name"])
        probabilities.set_shared_memory("py_out", 40, offset=8)
        result = client.infer(args["model"], [image_input], [probabilities], request_id="shm-http")

        client.unregister_system_shared_memory("py_in")
        after_one = client.get_system_shared_memory_status()
        client.unregister_system_shared_memory()
        return {
            "registered": sorted(registered, key=lambda region: region["name"]),
            "one_region": one_region,
            "header_length": result.header_length,
            "response": result.get_response(),
            # What the server wrote into the object, read through the client's own mapping.
            "probabilities": floats(out_region.buf, 64 + 8, 10),
            "untouched": bytes(out_region.buf[64 : 64 + 8]) == bytes(8) and bytes(out_region.buf[64 + 48 :]) == bytes(256 - 112),
            "after_unregister_one": after_one,
            "after_unregister_all": client.get_system_shared_memory_status(),
            "status_of_unregistered": refused(lambda: client.get_system_shared_memory_status("py_in")),
        }
    finally:
        destroy_shared_memory_region(in_region)
        destroy_shared_memory_region(out_region)


def check_log_settings(client, args):
    before = client.get_log_settings()
    updated = client.update_log_settings({"log_verbose_level": 1, "log_format": "ISO8601", "log_info": False})
    bad = refused(lambda: client.update_log_settings({"log_verbose_level": -1}))
    after_bad = client.get_log_settings()
    restored = client.update_log_settings({key: before[key] for key in ("log_verbose_level", "log_format", "log_info")})
    return {"before": before, "updated": updated, "after_bad": after_bad, "bad": bad, "restored": restored}


def exact(values):
    """Each value as Python read it: its type and its repr (exact for ints; nan, inf, -inf by name)."""
    return [[type(value).__name__, repr(value)] for value in values]


def check_json_extremes(client, args):
    """JSON both ways, as set_data_from_numpy(binary_data=False) and InferRequestedOutput(binary_data=False) ask for it."""
    constant = client.infer("constant", [], [InferRequestedOutput("constant", binary_data=False)])
    sent = {
        "FP32": [float("nan"), float("inf")],
        "FP64": [float("-inf"), 0.1],
        "INT64": [2**63 - 1, -(2**63)],
        "UINT64": [2**64 - 1, 2**53 + 1],
    }
    inputs = [InferInput(f"in_{datatype.lower()}", [1, 2], datatype).set_data_from_list(values, binary_data=False) for datatype, values in sent.items()]
    outputs = [InferRequestedOutput(f"out_{datatype.lower()}", binary_data=False) for datatype in sent]
    echo = client.infer("echo", inputs, outputs)
    return {
        "constant": {"header_length": constant.header_length, "data": exact(constant.get_output("constant")["data"])},
        "sent": {datatype: exact(values) for datatype, values in sent.items()},
        "echoed": {datatype: exact(echo.get_output(f"out_{datatype.lower()}")["data"]) for datatype in sent},
    }


def check_size_zero(client, args):
    """A batch of no rows, as set_data_from_numpy sends an empty array: binary_data_size 0 behind the JSON header."""
    datatypes = ["FP32", "FP64", "INT64", "UINT64"]
    inputs = [InferInput(f"in_{datatype.lower()}", [0, 2], datatype).set_data_from_list([], binary_data=True) for datatype in datatypes]
    result = client.infer("echo", inputs)
    return {"outputs": result.get_response()["outputs"], "binary_sizes": [len(result.binary(f"out_{d.lower()}")) for d in datatypes]}


def check_statistics(client, args):
    """The keys a reader of get_inference_statistics and get_server_metadata indexes, and the counts moving by what was sent."""
    image = InferInput(args["input_name"], [1, 28, 28, 1], "FP32").set_data_from_bytes(read_bytes(args["input_file"]))
    before = client.get_inference_statistics(args["model"])["model_stats"][0]
    for _ in range(2):
        client.infer(args["model"], [image])
    (after,) = client.get_inference_statistics(args["model"])["model_stats"]
    batch_one = next(batch for batch in after["batch_stats"] if batch["batch_size"] == 1)
    return {
        "extensions": client.get_server_metadata()["extensions"],
        "model_stat_keys": sorted(after),
        "inference_stats_keys": sorted(after["inference_stats"]),
        "duration_keys": sorted(after["inference_stats"]["cache_hit"]),
        "batch_stat_keys": sorted(batch_one),
        "memory_usage": after["memory_usage"],
        "response_stats": after["response_stats"],
        "success_delta": after["inference_stats"]["success"]["count"] - before["inference_stats"]["success"]["count"],
        "inference_count_delta": after["inference_count"] - before["inference_count"],
        "cache_hits": after["inference_stats"]["cache_hit"]["count"],
    }


CHECKS = {
    "config": check_config,
    "shared_memory": check_shared_memory,
    "log_settings": check_log_settings,
    "json_extremes": check_json_extremes,
    "size_zero": check_size_zero,
    "statistics": check_statistics,
}

if __name__ == "__main__":
    address, check, arguments = sys.argv[1:4]
    client = InferenceServerClient(address)
    try:
        print(json.dumps(CHECKS[check](client, json.loads(arguments))))
    finally:
        client.close()
