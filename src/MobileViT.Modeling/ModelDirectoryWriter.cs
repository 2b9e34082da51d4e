using System.Text.Json;
using MobileViT.Modeling.IO;

namespace MobileViT.Modeling;

/// <summary>Writes a model directory in the Hugging Face layout: config.json, preprocessor_config.json, onnx/model.onnx.</summary>
public static class ModelDirectoryWriter
{
    public const string ConfigFileName = "config.json";
    public const string PreprocessorConfigFileName = "preprocessor_config.json";
    public static readonly string OnnxModelRelativePath = Path.Combine("onnx", "model.onnx");

    /// <summary>Writes the three files (each atomically), creating the directory if needed; the ONNX file is written first.</summary>
    public static void Write(string directory, MobileViTVariant variant, byte[] onnxModel)
    {
        var root = Path.GetFullPath(directory);
        AtomicFile.WriteAllBytes(Path.Combine(root, OnnxModelRelativePath), onnxModel);
        AtomicFile.WriteAllBytes(Path.Combine(root, PreprocessorConfigFileName), PreprocessorConfigJson());
        AtomicFile.WriteAllBytes(Path.Combine(root, ConfigFileName), ConfigJson(MobileViTArchitecture.For(variant)));
    }

    /// <summary>The Hugging Face <c>MobileViTConfig</c> of the variant, with the ImageNet-1k label maps.</summary>
    internal static byte[] ConfigJson(MobileViTArchitecture arch) => WriteJson(json =>
    {
        json.WriteStartArray("architectures");
        json.WriteStringValue("MobileViTForImageClassification");
        json.WriteEndArray();
        json.WriteString("model_type", "mobilevit");
        json.WriteString("name", "mobilevit-" + arch.Variant.ToName());
        json.WriteNumber("num_channels", MobileViTArchitecture.NumChannels);
        json.WriteNumber("image_size", MobileViTArchitecture.ImageSize);
        json.WriteNumber("patch_size", MobileViTArchitecture.PatchSize);
        WriteNumbers(json, "hidden_sizes", arch.HiddenSizes);
        WriteNumbers(json, "neck_hidden_sizes", arch.NeckHiddenSizes);
        json.WriteNumber("num_attention_heads", MobileViTArchitecture.NumAttentionHeads);
        json.WriteNumber("mlp_ratio", MobileViTArchitecture.MlpRatio);
        json.WriteNumber("expand_ratio", arch.ExpandRatio);
        json.WriteString("hidden_act", "silu");
        json.WriteNumber("conv_kernel_size", MobileViTArchitecture.ConvKernelSize);
        json.WriteNumber("output_stride", 32);
        json.WriteNumber("hidden_dropout_prob", 0.1);
        json.WriteNumber("attention_probs_dropout_prob", 0.0);
        json.WriteNumber("classifier_dropout_prob", 0.1);
        json.WriteNumber("initializer_range", 0.02);
        json.WriteNumber("layer_norm_eps", MobileViTArchitecture.LayerNormEps);
        json.WriteBoolean("qkv_bias", true);
        json.WriteString("torch_dtype", "float32");

        var labels = ImageNetLabels.All;
        json.WriteStartObject("id2label");
        for (var i = 0; i < labels.Count; i++)
            json.WriteString(i.ToString(System.Globalization.CultureInfo.InvariantCulture), labels[i]);
        json.WriteEndObject();

        // As in Hugging Face's files: a repeated label name (ImageNet has two "crane") keeps its last index.
        var label2Id = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < labels.Count; i++)
            label2Id[labels[i]] = i;
        json.WriteStartObject("label2id");
        foreach (var (label, id) in label2Id)
            json.WriteNumber(label, id);
        json.WriteEndObject();
    });

    /// <summary>The preprocessing published with apple/mobilevit-* (see <see cref="Preprocessing.PreprocessorConfig.MobileViTDefault"/>).</summary>
    internal static byte[] PreprocessorConfigJson() => WriteJson(json =>
    {
        json.WriteStartObject("crop_size");
        json.WriteNumber("height", MobileViTArchitecture.ImageSize);
        json.WriteNumber("width", MobileViTArchitecture.ImageSize);
        json.WriteEndObject();
        json.WriteBoolean("do_center_crop", true);
        json.WriteBoolean("do_flip_channel_order", true);
        json.WriteBoolean("do_rescale", true);
        json.WriteBoolean("do_resize", true);
        json.WriteString("image_processor_type", "MobileViTImageProcessor");
        json.WriteNumber("resample", 2);
        json.WriteNumber("rescale_factor", 1.0 / 255.0);
        json.WriteStartObject("size");
        json.WriteNumber("shortest_edge", 288);
        json.WriteEndObject();
    });

    private static void WriteNumbers(Utf8JsonWriter json, string name, IEnumerable<int> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteNumberValue(value);
        json.WriteEndArray();
    }

    private static byte[] WriteJson(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
               {
                   Indented = true,
                   Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
        {
            json.WriteStartObject();
            writeProperties(json);
            json.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.ToArray();
    }
}
