using System.Text.Json;

namespace MobileViT.Modeling;

/// <summary>
/// Whether a Hugging Face config.json describes a network this builder reproduces: <c>model_type</c> <c>mobilevit</c>
/// (v1), an image classifier, and the hyper-parameters the builder fixes (heads, patch, MLP ratio, kernel, activation,
/// input size) at their values where the config states them. The variant is decided by the weights' shapes.
/// </summary>
public static class MobileViTHuggingFaceConfig
{
    public static bool IsBuildable(string configJson, out string reason)
    {
        try
        {
            using var document = JsonDocument.Parse(configJson);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Fail("config.json is not an object", out reason);
            if (!root.TryGetProperty("model_type", out var type) || type.GetString() != "mobilevit")
                return Fail($"model_type is {(root.TryGetProperty("model_type", out var t) ? t.ToString() : "missing")}, not mobilevit", out reason);
            if (root.TryGetProperty("architectures", out var architectures) && architectures.ValueKind == JsonValueKind.Array
                && !architectures.EnumerateArray().Any(a => a.GetString() == "MobileViTForImageClassification"))
                return Fail($"architectures {architectures} has no MobileViTForImageClassification", out reason);

            var fixedValues = new (string Name, double Value)[]
            {
                ("num_attention_heads", MobileViTArchitecture.NumAttentionHeads),
                ("patch_size", MobileViTArchitecture.PatchSize),
                ("mlp_ratio", MobileViTArchitecture.MlpRatio),
                ("conv_kernel_size", MobileViTArchitecture.ConvKernelSize),
                ("num_channels", MobileViTArchitecture.NumChannels),
                ("image_size", MobileViTArchitecture.ImageSize),
                ("output_stride", 32),
            };
            foreach (var (name, value) in fixedValues)
            {
                if (root.TryGetProperty(name, out var property) && (property.ValueKind != JsonValueKind.Number || property.GetDouble() != value))
                    return Fail($"{name} is {property}, the builder's is {value}", out reason);
            }
            if (root.TryGetProperty("hidden_act", out var act) && act.GetString() is not ("silu" or "swish"))
                return Fail($"hidden_act is {act}, the builder's is silu", out reason);
            if (root.TryGetProperty("qkv_bias", out var qkvBias) && qkvBias.ValueKind == JsonValueKind.False)
                return Fail("qkv_bias is false", out reason);
            reason = "";
            return true;
        }
        catch (JsonException e)
        {
            return Fail("config.json is not valid JSON: " + e.Message, out reason);
        }
    }

    private static bool Fail(string why, out string reason)
    {
        reason = why;
        return false;
    }
}
