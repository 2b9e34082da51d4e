using MobileViT.Modeling;

namespace MobileViT.Inference.Sources;

public enum ModelSourceKind
{
    LocalDirectory,
    HuggingFace,
    Synthetic,
}

/// <summary>A parsed <c>Source</c> setting: a local directory, <c>hf:OWNER/REPO</c> or <c>synthetic:{xxs|xs|s}</c>.</summary>
public sealed record ModelSource(ModelSourceKind Kind, string Value, MobileViTVariant SyntheticVariant = default)
{
    public const string HuggingFacePrefix = "hf:";
    public const string SyntheticPrefix = "synthetic:";

    public static ModelSource Parse(string text) =>
        TryParse(text, out var source, out var error) ? source : throw new FormatException(error);

    public static bool TryParse(string? text, out ModelSource source, out string error)
    {
        source = null!;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a source is required: a model directory, hf:OWNER/REPO or synthetic:{xxs|xs|s}.";
            return false;
        }

        text = text.Trim();
        if (text.StartsWith(HuggingFacePrefix, StringComparison.OrdinalIgnoreCase))
        {
            var repo = text[HuggingFacePrefix.Length..];
            var parts = repo.Split('/');
            if (parts.Length != 2 || parts.Any(p => p.Length == 0 || p is "." or ".." || !p.All(IsRepoChar)))
            {
                error = $"'{text}' is not of the form hf:OWNER/REPO.";
                return false;
            }
            source = new ModelSource(ModelSourceKind.HuggingFace, repo);
            return true;
        }

        if (text.StartsWith(SyntheticPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (!MobileViTVariants.TryParse(text[SyntheticPrefix.Length..], out var variant))
            {
                error = $"'{text}' names no variant; use synthetic:xxs, synthetic:xs or synthetic:s.";
                return false;
            }
            source = new ModelSource(ModelSourceKind.Synthetic, variant.ToName(), variant);
            return true;
        }

        source = new ModelSource(ModelSourceKind.LocalDirectory, text);
        return true;
    }

    public override string ToString() => Kind switch
    {
        ModelSourceKind.HuggingFace => HuggingFacePrefix + Value,
        ModelSourceKind.Synthetic => SyntheticPrefix + Value,
        _ => Value,
    };

    private static bool IsRepoChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
