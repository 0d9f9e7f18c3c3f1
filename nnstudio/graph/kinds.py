"""The node-kind registry: every kind of node described as data.

Adding a layer type means one :class:`KindSpec` here (ports, parameters, help
for learners, shape rule, parameter tensors) plus its kernels in the engine.
The palette, the inspector, validation, the project loader and the compiler
all read this registry instead of branching on kind names.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from nnstudio.errors import GraphError, ShapeError
from nnstudio.graph import shapes
from nnstudio.graph.params import ParamSpec

ACTIVATIONS = (
    "linear", "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softplus", "swish", "softmax",
)
LOSSES = ("mse", "mae", "bce", "cross_entropy")
INITS = ("he", "xavier", "normal", "zeros")

CATEGORIES = (
    "Inputs", "Neurons & layers", "Activations", "Regularization", "Merge", "Convolution", "Recurrent", "Attention",
    "Outputs",
)


@dataclass(frozen=True)
class PortSpec:
    """A connection point. ``multiple`` input ports accept several wires."""

    name: str
    multiple: bool = False
    required: bool = True


@dataclass(frozen=True)
class KindSpec:
    """Everything nnstudio knows about one kind of node."""

    name: str
    category: str
    summary: str
    explanation: str
    inputs: tuple[PortSpec, ...]
    outputs: tuple[PortSpec, ...]
    params: tuple[ParamSpec, ...]
    shape_rule: Callable[..., shapes.Shape]
    param_rule: Callable[..., dict[str, shapes.Shape]] = shapes.no_params
    trainable: tuple[str, ...] = ()
    key_params: tuple[str, ...] = ()
    merge: str = ""  # how several wires on one port combine: "concat_features", "sum", "concat_axis0"
    label: Callable[[dict[str, Any]], str] | None = None  # the canvas's one-line summary of the parameters
    views: tuple[str, ...] = ()  # live views (dock names) that show something only for nodes of this kind

    def describe(self, params: dict[str, Any]) -> str:
        """What a node of this kind is set to, in a few words (``units 64``, ``3x3, 16 ch``)."""
        return self.label(params) if self.label is not None else ""

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise GraphError(
            f"{self.name} has no parameter {name!r}; it has: "
            + (", ".join(p.name for p in self.params) or "none")
        )

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def input_port(self, name: str | None = None) -> PortSpec:
        return _port(self, self.inputs, name, "input")

    def output_port(self, name: str | None = None) -> PortSpec:
        return _port(self, self.outputs, name, "output")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def check_params(self, params: dict[str, Any], fill_defaults: bool = True) -> dict[str, Any]:
        """Validate keyword parameters; return a full, normalised parameter dict."""
        out = self.defaults() if fill_defaults else {}
        for name, value in params.items():
            out[name] = self.param(name).check(value, self.name)
        for p in self.params:
            if out.get(p.name) is None and not p.optional:
                raise GraphError(f"{self.name} needs {p.name} ({p.help})")
        return out

    def infer(self, params: dict[str, Any], in_shapes: list[shapes.Shape]) -> shapes.Shape:
        """Output shape for the given input shapes; raises ShapeError with advice."""
        return tuple(self.shape_rule(params, [tuple(s) for s in in_shapes], kind=self.name))

    def param_shapes(self, params: dict[str, Any], in_shapes: list[shapes.Shape]) -> dict[str, shapes.Shape]:
        """Tensors this node owns (PyTorch layouts), given its input shapes."""
        return self.param_rule(params, [tuple(s) for s in in_shapes])

    def count_params(self, params: dict[str, Any], in_shapes: list[shapes.Shape]) -> int:
        """Number of trainable values."""
        total = 0
        for name, shape in self.param_shapes(params, in_shapes).items():
            if name in self.trainable:
                n = 1
                for d in shape:
                    n *= d
                total += n
        return total


def _port(kind: KindSpec, ports: tuple[PortSpec, ...], name: str | None, what: str) -> PortSpec:
    if not ports:
        raise GraphError(f"{kind.name} has no {what}")
    if name is None:
        return ports[0]
    for p in ports:
        if p.name == name:
            return p
    raise GraphError(f"{kind.name} has no {what} port {name!r}; it has {', '.join(p.name for p in ports)}")


# --- shared parameter descriptions -------------------------------------------

def _init(default: str) -> ParamSpec:
    return ParamSpec(
        "init", "choice", default, choices=INITS,
        help="How the weights start: he suits ReLU, xavier suits tanh/sigmoid, "
        "zeros makes every unit identical (try it and watch nothing learn)",
    )


_FROZEN = ParamSpec("frozen", "bool", False, help="Frozen weights are not changed by training")
_BIAS = ParamSpec("bias", "bool", True, help="Add a learned offset to every output")
_IN = (PortSpec("in"),)
_IN_MANY = (PortSpec("in", multiple=True),)
_OUT = (PortSpec("out"),)
_EPS = ParamSpec("eps", "float", 1e-5, minimum=1e-12, maximum=1.0,
                 help="Small number added to the variance so nothing divides by zero")

def _recurrent_params() -> tuple[ParamSpec, ...]:
    """The parameters RNN, LSTM and GRU share (PyTorch's names)."""
    return (
        ParamSpec("hidden_size", "int", 16, minimum=1, maximum=4096,
                  help="Length of the hidden state: how many numbers the layer remembers between steps"),
        ParamSpec("num_layers", "int", 1, minimum=1, maximum=8,
                  help="Recurrent layers stacked on each other; each reads the hidden states of the one below"),
        ParamSpec("bidirectional", "bool", False,
                  help="Also read the sequence backwards; the output puts both directions side by side"),
        ParamSpec("return_sequences", "bool", False,
                  help="Output the hidden state of every step (steps x hidden) instead of the last one only"),
        _BIAS, _FROZEN,
    )


def _conv_label(p: dict[str, Any]) -> str:
    extra = f", stride {p['stride']}" if p["stride"] != 1 else ""
    extra += f", pad {p['padding']}" if p["padding"] else ""
    return f"{p['kernel_size']}x{p['kernel_size']}, {p['out_channels']} ch{extra}"


def _pool_label(p: dict[str, Any]) -> str:
    stride = p.get("stride")
    return f"{p['kernel_size']}x{p['kernel_size']}" + (f", stride {stride}" if stride else "")


def _recurrent_label(p: dict[str, Any]) -> str:
    parts = [f"hidden {p['hidden_size']}"]
    parts += [f"{p['num_layers']} layers"] if p["num_layers"] > 1 else []
    parts += ["both ways"] if p["bidirectional"] else []
    parts += ["every step" if p["return_sequences"] else "last step"]
    return ", ".join(parts)


_SPECS: tuple[KindSpec, ...] = (
    KindSpec(
        "Input", "Inputs", "Where the data enters the network",
        "The Input node holds one example of your data: two numbers for a point on the plane, "
        "1x8x8 pixels for a small grey image. Everything after it is computed from these values. "
        "Its shape must match the dataset (the batch dimension is added for you).",
        (), _OUT,
        (ParamSpec("shape", "shape", [2], help="Size of one example, e.g. [2] or [1, 28, 28]"),),
        shapes.input_shape, key_params=("shape",), label=lambda p: "shape " + shapes.fmt_shape(p["shape"])
    ),
    KindSpec(
        "Neuron", "Neurons & layers", "One artificial neuron: weighted sum + bias + activation",
        "A neuron multiplies each incoming value by a weight, adds them up, adds a bias and passes "
        "the result through an activation function. The weights and the bias are what training "
        "changes: start random, nudge them to reduce the error. Wire several neurons by hand to see "
        "how a layer is built from them.",
        _IN_MANY, _OUT,
        (
            ParamSpec("activation", "choice", "tanh", choices=ACTIVATIONS,
                      help="The non-linear squashing applied to the weighted sum"),
            _init("xavier"), _FROZEN,
        ),
        shapes.neuron, shapes.neuron_params, trainable=("weight", "bias"),
        key_params=("activation",), merge="concat_features", label=lambda p: p["activation"], views=("NeuronDock",)
    ),
    KindSpec(
        "Dense", "Neurons & layers", "A layer of neurons, each connected to every input",
        "A Dense (fully connected) layer is many neurons side by side, each seeing every input. "
        "It computes weight x input + bias for all its units at once. Without an activation after "
        "it, stacking Dense layers still gives one straight-line (linear) map - add ReLU or tanh "
        "between them so the network can bend its decision boundary.",
        _IN_MANY, _OUT,
        (
            ParamSpec("units", "int", 8, minimum=1, maximum=65536, help="Number of neurons in the layer"),
            _BIAS, _init("xavier"), _FROZEN,
        ),
        shapes.dense, shapes.dense_params, trainable=("weight", "bias"),
        key_params=("units",), merge="concat_features", label=lambda p: f"units {p['units']}" + ("" if p.get("bias", True) else ", no bias")
    ),
    KindSpec(
        "Activation", "Activations", "A non-linear function applied to every value",
        "Activations add the non-linearity that gives networks their power: without them any "
        "stack of layers collapses to one linear map that cannot solve XOR. ReLU keeps positives "
        "and zeroes negatives (fast, but units can die); sigmoid and tanh squash into a range "
        "(smooth, but saturate and let gradients vanish in deep stacks); softmax turns scores "
        "into probabilities.",
        _IN, _OUT,
        (ParamSpec("function", "choice", "relu", choices=ACTIVATIONS, help="Which function to apply"),),
        shapes.softmax_ok, key_params=("function",), label=lambda p: p["function"]
    ),
    KindSpec(
        "Dropout", "Regularization", "Randomly silences units while training",
        "During training, Dropout sets each value to zero with probability p (and scales the rest "
        "up), so the network cannot rely on any single unit and memorizes less. At evaluation it "
        "does nothing. Use it when training loss falls but validation loss rises (overfitting).",
        _IN, _OUT,
        (ParamSpec("p", "float", 0.5, minimum=0.0, maximum=1.0, exclusive_max=True,
                   help="Probability of dropping each value"),),
        shapes.identity, key_params=("p",), label=lambda p: f"p {p['p']:g}"
    ),
    KindSpec(
        "BatchNorm", "Regularization", "Normalizes each feature over the batch",
        "BatchNorm rescales each feature (or channel) to zero mean and unit variance using the "
        "current batch, then applies a learned scale and shift. It keeps signals in a healthy "
        "range through deep networks, which speeds up training. At evaluation it uses running "
        "averages collected during training.",
        _IN, _OUT,
        (_EPS, ParamSpec("momentum", "float", 0.1, minimum=0.0, maximum=1.0,
                         help="How fast the running averages follow the batch statistics"), _FROZEN),
        shapes.batchnorm, shapes.batchnorm_params, trainable=("weight", "bias"), label=lambda p: "normalize"
    ),
    KindSpec(
        "LayerNorm", "Regularization", "Normalizes each example over its features",
        "LayerNorm rescales all values of one example to zero mean and unit variance, then "
        "applies a learned scale and shift. Unlike BatchNorm it does not depend on the batch, "
        "so it behaves the same in training and evaluation.",
        _IN, _OUT,
        (_EPS, _FROZEN,
         # "all" is what LayerNorm always did (and what old projects keep); "last" is torch's
         # nn.LayerNorm(embed_dim) on a sequence: every position normalised on its own
         ParamSpec("over", "choice", "all", choices=("all", "last"),
                   help="all: normalise each example's values together; last: normalise each position "
                   "of a sequence (the last axis) on its own, as in a transformer")),
        shapes.identity, shapes.layernorm_params, trainable=("weight", "bias"), label=lambda p: "normalize per position" if p.get("over") == "last" else "normalize"
    ),
    KindSpec(
        "Add", "Merge", "Adds wires together (skip connection)",
        "Add sums its inputs element by element. Adding a layer's input to its output is a skip "
        "connection: the gradient gets a short path back to early layers, which is how very deep "
        "networks avoid vanishing gradients.",
        _IN_MANY, _OUT, (), shapes.add, merge="sum", label=lambda p: "sum of inputs"
    ),
    KindSpec(
        "Concat", "Merge", "Joins wires side by side",
        "Concat places its inputs next to each other (features, or channels for images), so the "
        "next layer sees all of them at once.",
        _IN_MANY, _OUT, (), shapes.concat, merge="concat_axis0", label=lambda p: "side by side"
    ),
    KindSpec(
        "Flatten", "Convolution", "Turns an image-shaped tensor into a flat vector",
        "Flatten lays channels x height x width out as one long vector so a Dense layer can "
        "read it. Put it between the convolution part and the classifier part of a network.",
        _IN, _OUT, (), shapes.flatten, label=lambda p: "to a vector"
    ),
    KindSpec(
        "Reshape", "Convolution", "Rearranges values into a new shape",
        "Reshape keeps every value but changes how they are arranged, e.g. a vector of 64 into a "
        "1x8x8 image. Use -1 for one size you want worked out.",
        _IN, _OUT,
        (ParamSpec("shape", "shape", [-1], allow_infer=True, help="New shape, e.g. [1, 8, 8]; -1 = work it out"),),
        shapes.reshape, key_params=("shape",), label=lambda p: "to " + shapes.fmt_shape(p["shape"])
    ),
    KindSpec(
        "Conv2D", "Convolution", "Slides small learned filters over an image",
        "A convolution slides small filters (e.g. 3x3) across the image; each filter learns to "
        "respond to one local pattern such as an edge or a stroke, wherever it appears. Stacking "
        "convolutions builds features on features: edges, then shapes, then digits.",
        _IN, _OUT,
        (
            ParamSpec("out_channels", "int", 8, minimum=1, maximum=4096, help="Number of filters"),
            ParamSpec("kernel_size", "int", 3, minimum=1, maximum=31, help="Filter width and height"),
            ParamSpec("stride", "int", 1, minimum=1, maximum=16, help="Step between filter positions"),
            ParamSpec("padding", "int", 0, minimum=0, maximum=16, help="Zeros added around the border"),
            _BIAS, _init("he"), _FROZEN,
        ),
        shapes.conv2d, shapes.conv2d_params, trainable=("weight", "bias"),
        key_params=("out_channels", "kernel_size"), label=_conv_label
    ),
    KindSpec(
        "MaxPool2D", "Convolution", "Keeps the strongest response in each window",
        "Max pooling shrinks an image by keeping the largest value in each window (e.g. 2x2), so "
        "later layers see a coarser, more position-tolerant summary.",
        _IN, _OUT,
        (
            ParamSpec("kernel_size", "int", 2, minimum=1, maximum=16, help="Window width and height"),
            ParamSpec("stride", "int", None, minimum=1, maximum=16, optional=True,
                      help="Step between windows (empty = the window size)"),
        ),
        shapes.pool2d, key_params=("kernel_size",), label=_pool_label
    ),
    KindSpec(
        "AvgPool2D", "Convolution", "Averages each window",
        "Average pooling shrinks an image by averaging each window (e.g. 2x2): a smoother "
        "summary than max pooling.",
        _IN, _OUT,
        (
            ParamSpec("kernel_size", "int", 2, minimum=1, maximum=16, help="Window width and height"),
            ParamSpec("stride", "int", None, minimum=1, maximum=16, optional=True,
                      help="Step between windows (empty = the window size)"),
        ),
        shapes.pool2d, key_params=("kernel_size",), label=_pool_label
    ),
    KindSpec(
        "Embedding", "Neurons & layers", "Looks up a learned vector for each token index",
        "An Embedding turns each whole-number token (a word id, a category) into a learned "
        "vector. Training places related tokens near each other, so the vectors come to encode "
        "meaning - project them to 2-D to see the clusters.",
        _IN, _OUT,
        (
            ParamSpec("num_embeddings", "int", 10, minimum=1, maximum=1_000_000, help="How many different tokens"),
            ParamSpec("embedding_dim", "int", 4, minimum=1, maximum=4096, help="Length of each vector"),
            _init("normal"), _FROZEN,
        ),
        shapes.embedding, shapes.embedding_params, trainable=("weight",),
        key_params=("embedding_dim",), label=lambda p: f"{p['num_embeddings']} tokens -> {p['embedding_dim']}",
        views=("WordVectorsDock",)
    ),
    # --- recurrent layers (PyTorch's nn.RNN / nn.LSTM / nn.GRU with batch_first=True) ---
    KindSpec(
        "RNN", "Recurrent", "Reads a sequence step by step, carrying a hidden state",
        "A recurrent layer reads a sequence (time steps x features) one step at a time. Its hidden "
        "state is a vector of numbers it keeps between steps: each step mixes the new input with the "
        "previous hidden state, h = tanh(W_ih x + W_hh h + b), so the state is the layer's running "
        "memory of what it has seen so far. Training sends the error back through every step "
        "(backpropagation through time); in a plain RNN that signal is multiplied by W_hh and the "
        "activation's slope at each step, so over long sequences it usually shrinks to nothing "
        "(vanishing gradients) and the layer forgets early inputs.",
        _IN, _OUT, (*_recurrent_params(), ParamSpec(
            "nonlinearity", "choice", "tanh", choices=("tanh", "relu"),
            help="The squashing applied to the new hidden state at every step")),
        shapes.recurrent, shapes.rnn_params, trainable=shapes.RECURRENT_TENSORS,
        key_params=("hidden_size",), label=_recurrent_label, views=("HiddenStateDock", "TimeGradDock")
    ),
    KindSpec(
        "LSTM", "Recurrent", "A recurrent layer with gates and a cell state: long memory",
        "An LSTM (long short-term memory) reads a sequence step by step like an RNN but keeps two "
        "states: the hidden state h it outputs, and a cell state c, a memory lane. Learned gates "
        "decide at every step what to forget from c (forget gate), what to write into it (input "
        "gate) and what to show as h (output gate). Because c is updated by adding to it, scaled "
        "only by the forget gate, the training signal can flow back along c over hundreds of steps "
        "without shrinking - which is why an LSTM remembers a number seen 50 steps ago where a "
        "plain RNN cannot.",
        _IN, _OUT, _recurrent_params(),
        shapes.recurrent, shapes.lstm_params, trainable=shapes.RECURRENT_TENSORS,
        key_params=("hidden_size",), label=_recurrent_label, views=("HiddenStateDock", "TimeGradDock")
    ),
    KindSpec(
        "GRU", "Recurrent", "A gated recurrent layer: simpler than an LSTM, similar memory",
        "A GRU (gated recurrent unit) is a lighter LSTM: one hidden state and two gates. The update "
        "gate z chooses, for every unit, how much of the old state to keep and how much to replace "
        "by a new candidate; the reset gate r chooses how much of the old state the candidate may "
        "look at. Keeping the old state (z near 1) passes it, and its gradient, through a step "
        "almost unchanged, so a GRU also learns long-range dependencies.",
        _IN, _OUT, _recurrent_params(),
        shapes.recurrent, shapes.gru_params, trainable=shapes.RECURRENT_TENSORS,
        key_params=("hidden_size",), label=_recurrent_label, views=("HiddenStateDock", "TimeGradDock")
    ),
    KindSpec(
        "PositionalEmbedding", "Attention", "Adds a vector for each position in the sequence",
        "Attention on its own does not know the order of the tokens: it sees a bag of vectors. "
        "A positional embedding adds a different vector to each position (the first token, the "
        "second, ...), so the network can tell 'the cat bit the dog' from 'the dog bit the cat'. "
        "Learned vectors are trained like any weight; sinusoidal ones are fixed waves of "
        "different speeds.",
        _IN, _OUT,
        (
            ParamSpec("max_len", "int", 64, minimum=1, maximum=100_000,
                      help="The longest sequence it has a position vector for"),
            ParamSpec("mode", "choice", "learned", choices=("learned", "sinusoidal"),
                      help="learned: trained vectors; sinusoidal: fixed sine and cosine waves"),
            _FROZEN,
        ),
        shapes.positional_embedding, shapes.positional_embedding_params, trainable=("weight",),
        key_params=("mode",), label=lambda p: f"{p.get('mode', 'learned')}, up to {p['max_len']}"
    ),
    KindSpec(
        "MultiheadAttention", "Attention", "Lets every position look at the others (self-attention)",
        "Self-attention lets each position of a sequence gather information from the other "
        "positions. Every position asks a question (query), offers a label (key) and a content "
        "(value); how well a query matches each key decides how much of that value it takes. "
        "Several heads ask different questions at once. A causal mask lets a position look only "
        "at itself and earlier positions, as a model that predicts the next token must.",
        _IN, _OUT,
        (
            ParamSpec("embed_dim", "int", None, minimum=1, maximum=65536, optional=True,
                      help="Length of each position's vector (empty = take it from the input)"),
            ParamSpec("num_heads", "int", 2, minimum=1, maximum=256,
                      help="How many attention heads; must divide the vector length"),
            ParamSpec("causal", "bool", False, help="Only look at earlier positions (and itself)"),
            _BIAS, _init("xavier"), _FROZEN,
        ),
        shapes.attention, shapes.attention_params,
        trainable=("in_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias"),
        key_params=("num_heads",), label=lambda p: f"{p['num_heads']} heads" + (", causal" if p.get("causal") else ""), views=("AttentionDock",)
    ),
    KindSpec(
        "Output", "Outputs", "The prediction, compared with the target by a loss",
        "The Output node is the network's answer. Its loss measures how wrong the answer is: "
        "mse/mae for numbers (regression), bce for yes/no, cross_entropy for one of several "
        "classes (it applies softmax itself). Training adjusts every weight to make this loss "
        "smaller, one gradient step at a time.",
        _IN_MANY, (),
        (ParamSpec("loss", "choice", "cross_entropy", choices=LOSSES,
                   help="How the error between prediction and target is measured"),),
        shapes.output, key_params=("loss",), merge="concat_features", label=lambda p: f"loss {p['loss']}"
    ),
)

REGISTRY: dict[str, KindSpec] = {spec.name: spec for spec in _SPECS}


def get(kind: str) -> KindSpec:
    """Look up a kind by name; raises GraphError listing the known kinds."""
    try:
        return REGISTRY[kind]
    except (KeyError, TypeError):
        raise GraphError(f"unknown node kind {kind!r}; known kinds: {', '.join(REGISTRY)}") from None


def showing(view: str) -> tuple[str, ...]:
    """The kinds whose nodes the live view ``view`` (a dock name) is for."""
    return tuple(name for name, spec in REGISTRY.items() if view in spec.views)


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def by_category() -> dict[str, list[KindSpec]]:
    """Kinds grouped for the palette, in the palette's order."""
    out: dict[str, list[KindSpec]] = {c: [] for c in CATEGORIES}
    for spec in _SPECS:
        out[spec.category].append(spec)
    return out


__all__ = [
    "ACTIVATIONS", "LOSSES", "INITS", "CATEGORIES", "KindSpec", "PortSpec", "ParamSpec",
    "REGISTRY", "get", "names", "showing", "by_category", "ShapeError",
]
