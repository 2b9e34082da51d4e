using System.Globalization;
using System.Text.Json;

namespace MobileViT.Inference.Models.Versions;

/// <summary>
/// Reads a <see cref="ServingConfig"/> from Triton's model configuration in JSON (the <c>ModelConfig</c> message of
/// <c>model_config.proto</c>), as the control API's <c>config</c> parameter and a model's <c>model_config.json</c> carry it.
/// Honoured: <c>name</c> (must be the model's), <c>version_policy</c> (<c>{"latest": {"num_versions": N}}</c>,
/// <c>{"all": {}}</c>, <c>{"specific": {"versions": [...]}}</c>) and the string parameters <c>default_version</c>,
/// <c>shadow_version</c> and <c>shadow_sample</c>. The other <c>ModelConfig</c> fields (batching, instances, tensors) come
/// from the service's own settings and are accepted but not applied, so a configuration read with
/// <c>GET /v2/models/{name}/config</c> can be sent back; a field <c>ModelConfig</c> does not have is an error. Field names
/// may be snake_case (as Triton writes them) or lowerCamelCase (protobuf's JSON mapping).
/// </summary>
public static class ServingConfigJson
{
    /// <summary>The top-level fields of Triton's <c>ModelConfig</c>, normalised (lower case, no underscores).</summary>
    private static readonly HashSet<string> ModelConfigFields =
    [
        "name", "platform", "backend", "runtime", "versionpolicy", "maxbatchsize", "input", "output", "batchinput", "batchoutput", "optimization",
        "dynamicbatching", "sequencebatching", "ensemblescheduling", "instancegroup", "defaultmodelfilename", "ccmodelfilenames", "metrictags",
        "parameters", "modelwarmup", "modeloperations", "modeltransactionpolicy", "modelrepositoryagents", "responsecache",
    ];

    public const string DefaultVersionParameter = "default_version";
    public const string ShadowVersionParameter = "shadow_version";
    public const string ShadowSampleParameter = "shadow_sample";

    /// <summary>Parses <paramref name="json"/>; throws <see cref="FormatException"/> saying what is wrong (and where, <paramref name="source"/>).</summary>
    public static ServingConfig Parse(string json, string model, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException("it must be a JSON object (Triton's ModelConfig).");
            var policy = VersionPolicy.Default;
            int? defaultVersion = null, shadowVersion = null;
            double? shadowSample = null;
            foreach (var field in root.EnumerateObject())
            {
                var name = Normalise(field.Name);
                if (!ModelConfigFields.Contains(name))
                    throw new FormatException($"'{field.Name}' is not a field of Triton's ModelConfig.");
                switch (name)
                {
                    case "name" when field.Value.ValueKind != JsonValueKind.String || !string.Equals(field.Value.GetString(), model, StringComparison.Ordinal):
                        throw new FormatException($"'name' must be the model's name, '{model}'.");
                    case "versionpolicy":
                        policy = ParsePolicy(field.Value);
                        break;
                    case "parameters":
                        (defaultVersion, shadowVersion, shadowSample) = ParseParameters(field.Value);
                        break;
                }
            }
            return new ServingConfig(policy, defaultVersion, shadowVersion, shadowSample);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source} is not valid JSON: {e.Message}", e);
        }
        catch (FormatException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new FormatException($"{source}: {e.Message}", e);
        }
    }

    private static VersionPolicy ParsePolicy(JsonElement value)
    {
        const string expected = "'version_policy' must be one of {\"latest\": {\"num_versions\": N}}, {\"all\": {}} or {\"specific\": {\"versions\": [1, 2]}}.";
        if (value.ValueKind != JsonValueKind.Object || value.EnumerateObject().Count() != 1)
            throw new FormatException(expected);
        var choice = value.EnumerateObject().Single();
        switch (Normalise(choice.Name))
        {
            case "latest":
                var count = choice.Value.ValueKind == JsonValueKind.Object && TryProperty(choice.Value, "numversions", out var n) ? Integer(n, "num_versions") : 1;
                if (count < 1)
                    throw new FormatException($"'version_policy.latest.num_versions' must be at least 1 (was {count}).");
                return new VersionPolicy.Latest((int)Math.Min(count, int.MaxValue));
            case "all":
                return new VersionPolicy.All();
            case "specific":
                if (choice.Value.ValueKind != JsonValueKind.Object || !TryProperty(choice.Value, "versions", out var list) || list.ValueKind != JsonValueKind.Array
                    || list.GetArrayLength() == 0)
                    throw new FormatException("'version_policy.specific.versions' must be a non-empty list of version numbers.");
                return new VersionPolicy.Specific(list.EnumerateArray().Select(v => Version(Integer(v, "version_policy.specific.versions"))).ToHashSet());
            default:
                throw new FormatException(expected);
        }
    }

    private static (int? Default, int? Shadow, double? Sample) ParseParameters(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new FormatException("'parameters' must be an object of {\"string_value\": \"...\"} values.");
        int? defaultVersion = null, shadowVersion = null;
        double? sample = null;
        foreach (var parameter in value.EnumerateObject())
        {
            // Backends' own parameters are free-form; only these three mean something here.
            if (parameter.Name is not (DefaultVersionParameter or ShadowVersionParameter or ShadowSampleParameter))
                continue;
            var text = StringValue(parameter);
            switch (parameter.Name)
            {
                case DefaultVersionParameter:
                    defaultVersion = Version(ParseInteger(text, parameter.Name));
                    break;
                case ShadowVersionParameter:
                    shadowVersion = Version(ParseInteger(text, parameter.Name));
                    break;
                default:
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction) || fraction is < 0 or > 1 || double.IsNaN(fraction))
                        throw new FormatException($"parameter '{ShadowSampleParameter}' must be a fraction from 0 to 1 (was '{text}').");
                    sample = fraction;
                    break;
            }
        }
        if (shadowVersion is not null && shadowVersion == defaultVersion)
            throw new FormatException($"'{ShadowVersionParameter}' and '{DefaultVersionParameter}' are both {shadowVersion}; a version cannot shadow itself.");
        return (defaultVersion, shadowVersion, sample);
    }

    /// <summary>A ModelParameter, <c>{"string_value": "..."}</c>; a bare string or number is taken too.</summary>
    private static string StringValue(JsonProperty parameter) => parameter.Value.ValueKind switch
    {
        JsonValueKind.Object when TryProperty(parameter.Value, "stringvalue", out var s) && s.ValueKind == JsonValueKind.String => s.GetString()!,
        JsonValueKind.String => parameter.Value.GetString()!,
        JsonValueKind.Number => parameter.Value.GetRawText(),
        _ => throw new FormatException($"parameter '{parameter.Name}' must be {{\"string_value\": \"...\"}}."),
    };

    private static long Integer(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var n) => n,
        // Protobuf's JSON mapping writes 64-bit integers as strings.
        JsonValueKind.String => ParseInteger(value.GetString()!, name),
        _ => throw new FormatException($"'{name}' must be a whole number."),
    };

    private static long ParseInteger(string text, string name) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"'{name}' must be a whole number (was '{text}').");

    private static int Version(long value) =>
        value is >= 1 and <= int.MaxValue ? (int)value : throw new FormatException($"a version is a positive whole number (was {value}).");

    private static bool TryProperty(JsonElement element, string normalisedName, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Normalise(property.Name) == normalisedName)
            {
                value = property.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    private static string Normalise(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
