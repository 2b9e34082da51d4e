namespace MobileViT.Inference.Access;

/// <summary>What a key may do: <see cref="Infer"/> (inference and the read-only routes) and <see cref="Admin"/> (model management).</summary>
public static class ApiKeyScopes
{
    public const string Infer = "infer";
    public const string Admin = "admin";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Infer, Admin };

    /// <summary>The scopes of a key whose line names none.</summary>
    public static IReadOnlySet<string> Default { get; } = new HashSet<string>(StringComparer.Ordinal) { Infer };
}
