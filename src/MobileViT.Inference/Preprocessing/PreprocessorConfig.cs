using System.Globalization;
using System.Text.Json;

namespace MobileViT.Inference.Preprocessing;

/// <summary>The fields of a Hugging Face MobileViTImageProcessor preprocessor_config.json that this service honours.</summary>
public sealed record PreprocessorConfig
{
    /// <summary>PIL's <c>Image.BILINEAR</c>, the only <c>resample</c> value this implementation reproduces.</summary>
    public const int PilBilinear = 2;

    public bool DoResize { get; init; } = true;
    public int ShortestEdge { get; init; } = 288;
    public bool DoCenterCrop { get; init; } = true;
    public int CropHeight { get; init; } = 256;
    public int CropWidth { get; init; } = 256;
    public bool DoRescale { get; init; } = true;
    public float RescaleFactor { get; init; } = 1f / 255f;
    public bool DoFlipChannelOrder { get; init; } = true;

    /// <summary>The published apple/mobilevit-* settings.</summary>
    public static PreprocessorConfig MobileViTDefault { get; } = new();

    /// <summary>
    /// Reads a Hugging Face <c>preprocessor_config.json</c>. Missing fields keep the defaults above. Throws
    /// <see cref="FormatException"/> for malformed JSON or values, and <see cref="NotSupportedException"/> for settings
    /// this implementation cannot reproduce (a resample filter other than bilinear, a size without shortest_edge).
    /// </summary>
    public static PreprocessorConfig FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new FormatException("preprocessor config is not valid JSON: " + e.Message, e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException("preprocessor config must be a JSON object");

            var config = new PreprocessorConfig();
            if (TryGet(root, "do_resize", out var e1)) config = config with { DoResize = ReadBool(e1, "do_resize") };
            if (TryGet(root, "do_center_crop", out var e2)) config = config with { DoCenterCrop = ReadBool(e2, "do_center_crop") };
            if (TryGet(root, "do_rescale", out var e3)) config = config with { DoRescale = ReadBool(e3, "do_rescale") };
            if (TryGet(root, "do_flip_channel_order", out var e4)) config = config with { DoFlipChannelOrder = ReadBool(e4, "do_flip_channel_order") };
            if (TryGet(root, "rescale_factor", out var e5)) config = config with { RescaleFactor = (float)ReadDouble(e5, "rescale_factor") };

            if (TryGet(root, "resample", out var e6))
            {
                var resample = ReadInt(e6, "resample");
                if (resample != PilBilinear)
                    throw new NotSupportedException(
                        $"resample={resample} is not supported; only {PilBilinear} (PIL bilinear) is implemented");
            }

            if (TryGet(root, "size", out var size))
                config = config with { ShortestEdge = ReadShortestEdge(size) };

            if (TryGet(root, "crop_size", out var crop))
            {
                if (crop.ValueKind == JsonValueKind.Number)
                {
                    var side = ReadPositive(crop, "crop_size");
                    config = config with { CropHeight = side, CropWidth = side };
                }
                else if (crop.ValueKind == JsonValueKind.Object)
                {
                    if (TryGet(crop, "height", out var h)) config = config with { CropHeight = ReadPositive(h, "crop_size.height") };
                    if (TryGet(crop, "width", out var w)) config = config with { CropWidth = ReadPositive(w, "crop_size.width") };
                }
                else
                {
                    throw new FormatException("crop_size must be an object with height and width");
                }
            }

            return config;
        }
    }

    private static int ReadShortestEdge(JsonElement size)
    {
        if (size.ValueKind == JsonValueKind.Number)
            return ReadPositive(size, "size"); // legacy configs: an int means the shortest edge
        if (size.ValueKind != JsonValueKind.Object)
            throw new FormatException("size must be an object");
        if (TryGet(size, "shortest_edge", out var shortest))
            return ReadPositive(shortest, "size.shortest_edge");
        throw new NotSupportedException(
            "size must give shortest_edge; fixed height/width resizing is not supported by this implementation");
    }

    private static bool TryGet(JsonElement obj, string name, out JsonElement value) =>
        obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static bool ReadBool(JsonElement e, string name) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new FormatException($"{name} must be true or false"),
    };

    private static double ReadDouble(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out var value) || !double.IsFinite(value))
            throw new FormatException($"{name} must be a finite number");
        return value;
    }

    private static int ReadInt(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var value))
            throw new FormatException($"{name} must be an integer");
        return value;
    }

    private static int ReadPositive(JsonElement e, string name)
    {
        var value = ReadInt(e, name);
        if (value <= 0)
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{name} must be positive, got {value}"));
        return value;
    }
}
