using MobileViT.Modeling.Onnx;
using static MobileViT.Modeling.Onnx.OnnxGraphBuilder;

namespace MobileViT.Modeling;

/// <summary>
/// The transformer part of a MobileViT block on a 2-D token matrix [tokens, channels] (<see cref="MobileViTGraphFeatures.TokenGemm"/>
/// and the features built on it). Tokens are either grouped by patch pixel as HF's unfolding orders them
/// ([B, ph, pw, rows, cols] flattened) or kept in the feature map's own order ([B, rows, ph, cols, pw] flattened, with
/// <see cref="MobileViTGraphFeatures.NaturalTokenOrder"/>); attention is the same computation either way, since it only ever
/// mixes tokens of the same patch pixel.
/// </summary>
internal sealed partial class MobileViTOnnxEmitter
{
    private const int Patch = MobileViTArchitecture.PatchSize;

    private bool NaturalOrder => features.HasFlag(MobileViTGraphFeatures.NaturalTokenOrder);

    private int PatchRows => height / Patch;

    private int PatchCols => width / Patch;

    private string TokenTransformer(string y, string prefix, int channels, int hidden, int depth)
    {
        if (height % Patch != 0 || width % Patch != 0)
            throw new InvalidOperationException($"Feature map {height}x{width} is not a multiple of the patch size.");
        var onTokens = features.HasFlag(MobileViTGraphFeatures.ProjectionsOnTokens);

        string tokens;
        if (onTokens)
        {
            // conv_1x1: bias-free, no norm, no activation; as a matrix [hidden, channels].
            var weight = parameters.Get(prefix + ".conv_1x1.convolution.weight", hidden, channels, 1, 1).Data;
            tokens = Gemm(ToTokens(y, prefix, channels), prefix + ".conv_1x1", weight, channels, hidden, bias: null);
        }
        else
        {
            y = ConvLayer(y, prefix + ".conv_1x1", channels, hidden, kernel: 1, normalize: false, activate: false);
            tokens = ToTokens(y, prefix, hidden);
        }

        for (var i = 0; i < depth; i++)
            tokens = TokenTransformerLayer(tokens, $"{prefix}.transformer.layer.{i}", hidden);
        tokens = LayerNorm(tokens, prefix + ".layernorm", hidden);

        if (!onTokens)
            return ConvLayer(FromTokens(tokens, prefix, hidden), prefix + ".conv_projection", hidden, channels, kernel: 1);

        // conv_projection: 1x1 conv with BatchNorm (folded) and SiLU, as a Gemm on the tokens before folding.
        var projection = parameters.Get(prefix + ".conv_projection.convolution.weight", channels, hidden, 1, 1).Data;
        var (folded, bias) = FoldBatchNorm(prefix + ".conv_projection.normalization", projection, channels);
        tokens = Silu(Gemm(tokens, prefix + ".conv_projection", folded, hidden, channels, bias), prefix + ".conv_projection");
        return FromTokens(tokens, prefix, channels);
    }

    /// <summary>[B, C, H, W] to tokens [B*H*W, C] in the configured order.</summary>
    private string ToTokens(string x, string prefix, int channels)
    {
        var name = prefix + ".unfold";
        if (NaturalOrder)
        {
            var nhwc = graph.AddNode("Transpose", name + ".nhwc", new[] { x }, IntsAttribute("perm", 0, 2, 3, 1));
            return Reshape(nhwc, name, -1, channels);
        }
        // [B, C, rows, ph, cols, pw] -> [B, ph, pw, rows, cols, C]
        var split = Reshape(x, name + ".split", 0, channels, PatchRows, Patch, PatchCols, Patch);
        var grouped = graph.AddNode("Transpose", name + ".transpose", new[] { split }, IntsAttribute("perm", 0, 3, 5, 2, 4, 1));
        return Reshape(grouped, name, -1, channels);
    }

    /// <summary>Tokens [B*H*W, C] in the configured order back to [B, C, H, W].</summary>
    private string FromTokens(string tokens, string prefix, int channels)
    {
        var name = prefix + ".fold";
        if (NaturalOrder)
        {
            var nhwc = Reshape(tokens, name + ".nhwc", -1, height, width, channels);
            return graph.AddNode("Transpose", name, new[] { nhwc }, IntsAttribute("perm", 0, 3, 1, 2));
        }
        // [B, ph, pw, rows, cols, C] -> [B, C, rows, ph, cols, pw]
        var split = Reshape(tokens, name + ".split", -1, Patch, Patch, PatchRows, PatchCols, channels);
        var transposed = graph.AddNode("Transpose", name + ".transpose", new[] { split }, IntsAttribute("perm", 0, 5, 3, 1, 4, 2));
        return Reshape(transposed, name, -1, channels, height, width);
    }

    private string TokenTransformerLayer(string x, string prefix, int hidden)
    {
        var normalized = LayerNorm(x, prefix + ".layernorm_before", hidden);
        var attention = features.HasFlag(MobileViTGraphFeatures.OrtFusedAttention)
            ? FusedTokenAttention(normalized, prefix + ".attention", hidden)
            : TokenAttention(normalized, prefix + ".attention", hidden);
        x = graph.AddNode("Add", prefix + ".attention.residual", new[] { attention, x });

        var intermediateSize = (int)(hidden * MobileViTArchitecture.MlpRatio);
        var y = LayerNorm(x, prefix + ".layernorm_after", hidden);
        y = Silu(TokenLinear(y, prefix + ".intermediate.dense", hidden, intermediateSize), prefix + ".intermediate");
        y = TokenLinear(y, prefix + ".output.dense", intermediateSize, hidden);
        return graph.AddNode("Add", prefix + ".output.residual", new[] { y, x });
    }

    /// <summary>Multi-head attention with standard operators: per head, softmax(q k^T / sqrt(d)) v within each patch pixel.</summary>
    private string TokenAttention(string x, string prefix, int hidden)
    {
        const int heads = MobileViTArchitecture.NumAttentionHeads;
        var headSize = hidden / heads;
        var scale = (float)(1.0 / Math.Sqrt(headSize));

        var query = SplitHeads(TokenLinear(x, prefix + ".attention.query", hidden, hidden, scale), prefix + ".attention.query", hidden);
        var key = SplitHeads(TokenLinear(x, prefix + ".attention.key", hidden, hidden), prefix + ".attention.key", hidden);
        var value = SplitHeads(TokenLinear(x, prefix + ".attention.value", hidden, hidden), prefix + ".attention.value", hidden);

        // A Transpose of the last two axes feeding MatMul: ONNX Runtime runs the pair as one MatMul with B transposed.
        var keyTransposed = graph.AddNode("Transpose", prefix + ".attention.key.t", new[] { key }, IntsAttribute("perm", 0, 1, 3, 2));
        var scores = graph.AddNode("MatMul", prefix + ".attention.scores", new[] { query, keyTransposed });
        var probabilities = graph.AddNode("Softmax", prefix + ".attention.probs", new[] { scores }, IntAttribute("axis", -1));
        var context = graph.AddNode("MatMul", prefix + ".attention.context", new[] { probabilities, value });
        return TokenLinear(MergeHeads(context, prefix + ".attention.context", hidden), prefix + ".output.dense", hidden, hidden);
    }

    /// <summary>Tokens [T, hidden] to [B*P, heads, N, d]: one transpose that keeps each head vector whole.</summary>
    private string SplitHeads(string tokens, string name, int hidden)
    {
        const int heads = MobileViTArchitecture.NumAttentionHeads;
        var headSize = hidden / heads;
        var patches = PatchRows * PatchCols;
        if (NaturalOrder)
        {
            // [B, rows, ph, cols, pw, h, d] -> [B, ph, pw, h, rows, cols, d]
            var split = Reshape(tokens, name + ".split", -1, PatchRows, Patch, PatchCols, Patch, heads, headSize);
            var grouped = graph.AddNode("Transpose", name + ".grouped", new[] { split }, IntsAttribute("perm", 0, 2, 4, 5, 1, 3, 6));
            return Reshape(grouped, name + ".heads", -1, heads, patches, headSize);
        }
        var perPixel = Reshape(tokens, name + ".split", -1, patches, heads, headSize);
        return graph.AddNode("Transpose", name + ".heads", new[] { perPixel }, IntsAttribute("perm", 0, 2, 1, 3));
    }

    /// <summary>The inverse of <see cref="SplitHeads"/>: [B*P, heads, N, d] to tokens [T, hidden].</summary>
    private string MergeHeads(string context, string name, int hidden)
    {
        const int heads = MobileViTArchitecture.NumAttentionHeads;
        var headSize = hidden / heads;
        if (NaturalOrder)
        {
            // [B, ph, pw, h, rows, cols, d] -> [B, rows, ph, cols, pw, h, d]
            var split = Reshape(context, name + ".split", -1, Patch, Patch, heads, PatchRows, PatchCols, headSize);
            var natural = graph.AddNode("Transpose", name + ".natural", new[] { split }, IntsAttribute("perm", 0, 4, 1, 5, 2, 3, 6));
            return Reshape(natural, name + ".merged", -1, hidden);
        }
        var merged = graph.AddNode("Transpose", name + ".transposed", new[] { context }, IntsAttribute("perm", 0, 2, 1, 3));
        return Reshape(merged, name + ".merged", -1, hidden);
    }

    /// <summary>
    /// Attention as <c>com.microsoft.Attention</c> over [B*P, N, hidden]: one packed QKV weight [hidden, 3*hidden], the
    /// kernel's own 1/sqrt(d) scale; then the output projection.
    /// </summary>
    private string FusedTokenAttention(string x, string prefix, int hidden)
    {
        var packed = new float[hidden * 3 * hidden];
        var packedBias = new float[3 * hidden];
        string[] parts = ["query", "key", "value"];
        for (var part = 0; part < parts.Length; part++)
        {
            var weight = parameters.Get($"{prefix}.attention.{parts[part]}.weight", hidden, hidden).Data;
            var bias = parameters.Get($"{prefix}.attention.{parts[part]}.bias", hidden).Data;
            for (var o = 0; o < hidden; o++)
            {
                for (var i = 0; i < hidden; i++)
                    packed[i * 3 * hidden + part * hidden + o] = weight[o * hidden + i];
                packedBias[part * hidden + o] = bias[o];
            }
        }

        var sequences = Reshape(x, prefix + ".attention.sequences", -1, PatchRows * PatchCols, hidden);
        var context = graph.AddNode(OnnxRuntimeDomain, "Attention", prefix + ".attention", new[]
        {
            sequences,
            graph.AddFloatInitializer(prefix + ".attention.qkv.weight", packed, hidden, 3 * hidden),
            graph.AddFloatInitializer(prefix + ".attention.qkv.bias", packedBias, 3 * hidden),
        }, IntAttribute("num_heads", MobileViTArchitecture.NumAttentionHeads));
        return TokenLinear(Reshape(context, prefix + ".attention.tokens", -1, hidden), prefix + ".output.dense", hidden, hidden);
    }

    /// <summary>nn.Linear on tokens [T, in] as one Gemm with the bias; <paramref name="factor"/> scales weight and bias.</summary>
    private string TokenLinear(string x, string prefix, int inFeatures, int outFeatures, float factor = 1f)
    {
        var weight = parameters.Get(prefix + ".weight", outFeatures, inFeatures).Data;
        var bias = parameters.Get(prefix + ".bias", outFeatures).Data;
        if (factor != 1f)
        {
            weight = weight.Select(w => w * factor).ToArray();
            bias = bias.Select(b => b * factor).ToArray();
        }
        return Gemm(x, prefix, weight, inFeatures, outFeatures, bias);
    }

    /// <summary>x [T, in] times a PyTorch-layout weight [out, in] (stored transposed, [in, out]) plus an optional bias.</summary>
    private string Gemm(string x, string prefix, float[] weight, int inFeatures, int outFeatures, float[]? bias)
    {
        var transposed = new float[weight.Length];
        for (var o = 0; o < outFeatures; o++)
            for (var i = 0; i < inFeatures; i++)
                transposed[i * outFeatures + o] = weight[o * inFeatures + i];
        var inputs = new List<string> { x, graph.AddFloatInitializer(prefix + ".weight", transposed, inFeatures, outFeatures) };
        if (bias is not null)
            inputs.Add(graph.AddFloatInitializer(prefix + ".bias", bias, outFeatures));
        return graph.AddNode("Gemm", prefix, inputs);
    }

    private string Reshape(string x, string name, params long[] shape) =>
        graph.AddNode("Reshape", name, new[] { x, graph.AddInt64Initializer(name + ".shape", shape) });
}
