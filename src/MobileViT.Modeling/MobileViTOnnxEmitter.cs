using MobileViT.Modeling.Onnx;
using static MobileViT.Modeling.Onnx.OnnxGraphBuilder;

namespace MobileViT.Modeling;

/// <summary>
/// Emits Hugging Face <c>MobileViTForImageClassification</c> (inference mode) as an ONNX opset-17 graph.
/// BatchNorm is folded into the preceding convolution; the attention scale is folded into the query projection.
/// Input <c>pixel_values</c> float32 [batch_size, 3, 256, 256]; output <c>logits</c> float32 [batch_size, 1000].
/// </summary>
internal sealed partial class MobileViTOnnxEmitter
{
    public const string InputName = "pixel_values";
    public const string OutputName = "logits";
    public const string BatchDimension = "batch_size";

    private readonly MobileViTArchitecture arch;
    private readonly IParameterSource parameters;
    private readonly MobileViTGraphFeatures features;
    private readonly OnnxGraphBuilder graph = new("mobilevit");
    private int height = MobileViTArchitecture.ImageSize;
    private int width = MobileViTArchitecture.ImageSize;

    private MobileViTOnnxEmitter(MobileViTArchitecture arch, IParameterSource parameters, MobileViTGraphFeatures features)
    {
        this.arch = arch;
        this.parameters = parameters;
        this.features = features;
    }

    public static OnnxGraphBuilder Emit(MobileViTArchitecture architecture, IParameterSource parameters, MobileViTGraphFeatures features)
    {
        MobileViTGraphFeatureSets.Validate(features);
        var emitter = new MobileViTOnnxEmitter(architecture, parameters, features);
        emitter.EmitNetwork();
        return emitter.graph;
    }

    private void EmitNetwork()
    {
        var neck = arch.NeckHiddenSizes;
        var x = graph.AddFloatInput(InputName, BatchDimension, MobileViTArchitecture.NumChannels, height, width);

        x = ConvLayer(x, "mobilevit.conv_stem", MobileViTArchitecture.NumChannels, neck[0], MobileViTArchitecture.ConvKernelSize, stride: 2);
        x = MobileNetLayer(x, "mobilevit.encoder.layer.0", neck[0], neck[1], stride: 1, stages: 1);
        x = MobileNetLayer(x, "mobilevit.encoder.layer.1", neck[1], neck[2], stride: 2, stages: 3);
        for (var i = 0; i < 3; i++)
        {
            x = MobileViTLayer(x, $"mobilevit.encoder.layer.{i + 2}", neck[i + 2], neck[i + 3],
                arch.HiddenSizes[i], MobileViTArchitecture.TransformerDepths[i]);
        }
        x = ConvLayer(x, "mobilevit.conv_1x1_exp", neck[5], neck[6], kernel: 1);

        // Pooler: mean over H and W, then the classifier (dropout is the identity at inference).
        x = graph.AddNode("GlobalAveragePool", "mobilevit.pooler", new[] { x });
        x = graph.AddNode("Flatten", "mobilevit.pooler.flat", new[] { x }, IntAttribute("axis", 1));
        var weight = parameters.Get("classifier.weight", MobileViTArchitecture.NumLabels, neck[6]);
        var bias = parameters.Get("classifier.bias", MobileViTArchitecture.NumLabels);
        x = graph.AddNode("Gemm", "classifier", new[]
        {
            x,
            graph.AddFloatInitializer("classifier.weight", weight.Data, MobileViTArchitecture.NumLabels, neck[6]),
            graph.AddFloatInitializer("classifier.bias", bias.Data, MobileViTArchitecture.NumLabels),
        }, IntAttribute("transB", 1));
        graph.AddFloatOutput(x, OutputName, BatchDimension, MobileViTArchitecture.NumLabels);
    }

    /// <summary>HF <c>MobileViTConvLayer</c>: bias-free Conv2d (padding (k-1)/2), optional BatchNorm (folded), optional SiLU.</summary>
    private string ConvLayer(string x, string prefix, int inChannels, int outChannels, int kernel,
        int stride = 1, int groups = 1, bool normalize = true, bool activate = true)
    {
        var weight = parameters.Get(prefix + ".convolution.weight", outChannels, inChannels / groups, kernel, kernel).Data;
        float[]? bias = null;
        if (normalize)
            (weight, bias) = FoldBatchNorm(prefix + ".normalization", weight, outChannels);

        var inputs = new List<string>
        {
            x,
            graph.AddFloatInitializer(prefix + ".weight", weight, outChannels, inChannels / groups, kernel, kernel),
        };
        if (bias is not null)
            inputs.Add(graph.AddFloatInitializer(prefix + ".bias", bias, outChannels));

        var padding = (kernel - 1) / 2;
        var y = graph.AddNode("Conv", prefix, inputs,
            IntsAttribute("kernel_shape", kernel, kernel),
            IntsAttribute("strides", stride, stride),
            IntsAttribute("pads", padding, padding, padding, padding),
            IntsAttribute("dilations", 1, 1),
            IntAttribute("group", groups));
        height = (height + 2 * padding - kernel) / stride + 1;
        width = (width + 2 * padding - kernel) / stride + 1;
        return activate ? Silu(y, prefix) : y;
    }

    /// <summary>Inference BatchNorm folded into the conv: w' = w * g / sqrt(var + eps), b' = beta - mean * g / sqrt(var + eps).</summary>
    private (float[] Weight, float[] Bias) FoldBatchNorm(string prefix, float[] weight, int channels)
    {
        var gamma = parameters.Get(prefix + ".weight", channels).Data;
        var beta = parameters.Get(prefix + ".bias", channels).Data;
        var mean = parameters.Get(prefix + ".running_mean", channels).Data;
        var variance = parameters.Get(prefix + ".running_var", channels).Data;

        var folded = new float[weight.Length];
        var bias = new float[channels];
        var perChannel = weight.Length / channels;
        for (var c = 0; c < channels; c++)
        {
            var scale = gamma[c] / Math.Sqrt(variance[c] + (double)MobileViTArchitecture.BatchNormEps);
            for (var i = c * perChannel; i < (c + 1) * perChannel; i++)
                folded[i] = (float)(weight[i] * scale);
            bias[c] = (float)(beta[c] - mean[c] * scale);
        }
        return (folded, bias);
    }

    private string Silu(string x, string prefix)
    {
        var sigmoid = graph.AddNode("Sigmoid", prefix + ".sigmoid", new[] { x });
        return graph.AddNode("Mul", prefix + ".silu", new[] { x, sigmoid });
    }

    /// <summary>HF <c>MobileViTMobileNetLayer</c>: a stack of inverted residuals, the first one strided.</summary>
    private string MobileNetLayer(string x, string prefix, int inChannels, int outChannels, int stride, int stages)
    {
        for (var i = 0; i < stages; i++)
        {
            x = InvertedResidual(x, $"{prefix}.layer.{i}", inChannels, outChannels, i == 0 ? stride : 1);
            inChannels = outChannels;
        }
        return x;
    }

    /// <summary>HF <c>MobileViTInvertedResidual</c>: 1x1 expand, 3x3 depthwise, 1x1 reduce (no activation), residual if shapes match.</summary>
    private string InvertedResidual(string x, string prefix, int inChannels, int outChannels, int stride)
    {
        var expanded = arch.ExpandedChannels(inChannels);
        var y = ConvLayer(x, prefix + ".expand_1x1", inChannels, expanded, kernel: 1);
        y = ConvLayer(y, prefix + ".conv_3x3", expanded, expanded, kernel: 3, stride: stride, groups: expanded);
        y = ConvLayer(y, prefix + ".reduce_1x1", expanded, outChannels, kernel: 1, activate: false);
        return stride == 1 && inChannels == outChannels ? graph.AddNode("Add", prefix + ".residual", new[] { x, y }) : y;
    }

    /// <summary>HF <c>MobileViTLayer</c>: downsampling inverted residual, local conv, unfold, transformer, LayerNorm, fold, fusion.</summary>
    private string MobileViTLayer(string x, string prefix, int inChannels, int outChannels, int hidden, int depth)
    {
        x = InvertedResidual(x, prefix + ".downsampling_layer", inChannels, outChannels, stride: 2);
        var channels = outChannels;
        var residual = x;

        var y = ConvLayer(x, prefix + ".conv_kxk", channels, channels, MobileViTArchitecture.ConvKernelSize);
        if (features.HasFlag(MobileViTGraphFeatures.TokenGemm))
            y = TokenTransformer(y, prefix, channels, hidden, depth);
        else
            y = PatchTransformer(y, prefix, channels, hidden, depth);
        var concatenated = graph.AddNode("Concat", prefix + ".concat", new[] { residual, y }, IntAttribute("axis", 1));
        return ConvLayer(concatenated, prefix + ".fusion", 2 * channels, channels, MobileViTArchitecture.ConvKernelSize);
    }

    /// <summary>conv_1x1, unfold, transformer layers, LayerNorm, fold, conv_projection, as HF writes them (no graph features).</summary>
    private string PatchTransformer(string y, string prefix, int channels, int hidden, int depth)
    {
        y = ConvLayer(y, prefix + ".conv_1x1", channels, hidden, kernel: 1, normalize: false, activate: false);

        var patches = Unfold(y, prefix, hidden);
        for (var i = 0; i < depth; i++)
            patches = TransformerLayer(patches, $"{prefix}.transformer.layer.{i}", hidden);
        patches = LayerNorm(patches, prefix + ".layernorm", hidden);
        y = Fold(patches, prefix, hidden);
        return ConvLayer(y, prefix + ".conv_projection", hidden, channels, kernel: 1);
    }

    /// <summary>
    /// HF <c>unfolding</c>: [B, C, H, W] to patches. HF lays them out as [B*P, N, C] (P pixels per patch, N patches);
    /// this graph keeps the equivalent [B, P, N, C] so the batch dimension stays dynamic. Pixel p = row*pw + col within
    /// a patch, patch n = patchRow*numPatchWidth + patchCol. The input is 256x256 so no interpolation is needed.
    /// </summary>
    private string Unfold(string x, string prefix, int channels)
    {
        const int patch = MobileViTArchitecture.PatchSize;
        if (height % patch != 0 || width % patch != 0)
            throw new InvalidOperationException($"Feature map {height}x{width} is not a multiple of the patch size.");
        var (rows, cols) = (height / patch, width / patch);
        // [B, C, rows, ph, cols, pw] -> [B, ph, pw, rows, cols, C] -> [B, P, N, C]
        return Rearrange(x, prefix + ".unfold",
            splitShape: new long[] { 0, channels, rows, patch, cols, patch },
            permutation: new long[] { 0, 3, 5, 2, 4, 1 },
            mergedShape: new long[] { 0, patch * patch, rows * cols, channels });
    }

    /// <summary>HF <c>folding</c>: the inverse of <see cref="Unfold"/>, [B, P, N, C] back to [B, C, H, W].</summary>
    private string Fold(string patches, string prefix, int channels)
    {
        const int patch = MobileViTArchitecture.PatchSize;
        var (rows, cols) = (height / patch, width / patch);
        // [B, P, N, C] -> [B, ph, pw, rows, cols, C] -> [B, C, rows, ph, cols, pw] -> [B, C, H, W]
        return Rearrange(patches, prefix + ".fold",
            splitShape: new long[] { 0, patch, patch, rows, cols, channels },
            permutation: new long[] { 0, 5, 3, 1, 4, 2 },
            mergedShape: new long[] { 0, channels, height, width });
    }

    /// <summary>Reshape, Transpose, Reshape; a 0 in a shape keeps that input dimension (the dynamic batch).</summary>
    private string Rearrange(string x, string name, long[] splitShape, long[] permutation, long[] mergedShape)
    {
        var split = graph.AddNode("Reshape", name + ".split", new[] { x, graph.AddInt64Initializer(name + ".split_shape", splitShape) });
        var transposed = graph.AddNode("Transpose", name + ".transpose", new[] { split }, IntsAttribute("perm", permutation));
        return graph.AddNode("Reshape", name, new[] { transposed, graph.AddInt64Initializer(name + ".shape", mergedShape) });
    }

    /// <summary>HF <c>MobileViTTransformerLayer</c>: pre-LN attention and pre-LN SiLU MLP, each with a residual connection.</summary>
    private string TransformerLayer(string x, string prefix, int hidden)
    {
        var attention = SelfAttention(LayerNorm(x, prefix + ".layernorm_before", hidden), prefix + ".attention", hidden);
        x = graph.AddNode("Add", prefix + ".attention.residual", new[] { attention, x });

        var intermediateSize = (int)(hidden * MobileViTArchitecture.MlpRatio);
        var y = LayerNorm(x, prefix + ".layernorm_after", hidden);
        y = Silu(Linear(y, prefix + ".intermediate.dense", hidden, intermediateSize), prefix + ".intermediate");
        y = Linear(y, prefix + ".output.dense", intermediateSize, hidden);
        return graph.AddNode("Add", prefix + ".output.residual", new[] { y, x });
    }

    /// <summary>HF <c>MobileViTAttention</c> over [B, P, N, C]: multi-head softmax(q k^T / sqrt(d)) v, then the output projection.</summary>
    private string SelfAttention(string x, string prefix, int hidden)
    {
        const int heads = MobileViTArchitecture.NumAttentionHeads;
        var headSize = hidden / heads;
        var scale = (float)(1.0 / Math.Sqrt(headSize));
        var splitHeads = graph.AddInt64Initializer(prefix + ".split_heads_shape", 0, 0, 0, heads, headSize);

        string Heads(string name, float factor, params long[] perm)
        {
            var projected = Linear(x, $"{prefix}.attention.{name}", hidden, hidden, factor);
            var split = graph.AddNode("Reshape", $"{prefix}.attention.{name}.heads", new[] { projected, splitHeads });
            return graph.AddNode("Transpose", $"{prefix}.attention.{name}.transposed", new[] { split }, IntsAttribute("perm", perm));
        }

        var query = Heads("query", scale, 0, 1, 3, 2, 4);  // [B, P, H, N, d], pre-scaled by 1/sqrt(d)
        var key = Heads("key", 1f, 0, 1, 3, 4, 2);         // [B, P, H, d, N]
        var value = Heads("value", 1f, 0, 1, 3, 2, 4);     // [B, P, H, N, d]

        var scores = graph.AddNode("MatMul", prefix + ".attention.scores", new[] { query, key });
        var probabilities = graph.AddNode("Softmax", prefix + ".attention.probs", new[] { scores }, IntAttribute("axis", -1));
        var context = graph.AddNode("MatMul", prefix + ".attention.context", new[] { probabilities, value });
        context = graph.AddNode("Transpose", prefix + ".attention.context.transposed", new[] { context }, IntsAttribute("perm", 0, 1, 3, 2, 4));
        context = graph.AddNode("Reshape", prefix + ".attention.context.merged", new[]
        {
            context, graph.AddInt64Initializer(prefix + ".merge_heads_shape", 0, 0, 0, hidden),
        });
        return Linear(context, prefix + ".output.dense", hidden, hidden);
    }

    /// <summary>nn.Linear as MatMul with the transposed weight, then Add bias; <paramref name="factor"/> scales both.</summary>
    private string Linear(string x, string prefix, int inFeatures, int outFeatures, float factor = 1f)
    {
        var weight = parameters.Get(prefix + ".weight", outFeatures, inFeatures).Data;
        var bias = parameters.Get(prefix + ".bias", outFeatures).Data;
        var transposed = new float[weight.Length];
        for (var o = 0; o < outFeatures; o++)
            for (var i = 0; i < inFeatures; i++)
                transposed[i * outFeatures + o] = weight[o * inFeatures + i] * factor;
        var scaledBias = factor == 1f ? bias : bias.Select(b => b * factor).ToArray();

        var product = graph.AddNode("MatMul", prefix + ".matmul", new[]
        {
            x, graph.AddFloatInitializer(prefix + ".weight", transposed, inFeatures, outFeatures),
        });
        return graph.AddNode("Add", prefix, new[] { product, graph.AddFloatInitializer(prefix + ".bias", scaledBias, outFeatures) });
    }

    private string LayerNorm(string x, string prefix, int size)
    {
        var scale = parameters.Get(prefix + ".weight", size);
        var shift = parameters.Get(prefix + ".bias", size);
        return graph.AddNode("LayerNormalization", prefix, new[]
        {
            x,
            graph.AddFloatInitializer(prefix + ".weight", scale.Data, size),
            graph.AddFloatInitializer(prefix + ".bias", shift.Data, size),
        }, IntAttribute("axis", -1), FloatAttribute("epsilon", MobileViTArchitecture.LayerNormEps));
    }
}
