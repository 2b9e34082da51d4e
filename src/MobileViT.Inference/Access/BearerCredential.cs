namespace MobileViT.Inference.Access;

/// <summary>The credential of an <c>Authorization</c> header or gRPC <c>authorization</c> metadata entry (RFC 6750: <c>Bearer KEY</c>).</summary>
public static class BearerCredential
{
    public const string Scheme = "Bearer";

    /// <summary>The key after <c>Bearer </c> (scheme case-insensitive); null when there is no such header or it has another scheme.</summary>
    public static string? FromAuthorization(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
            return null;
        var value = header.Trim();
        if (value.Length <= Scheme.Length + 1 || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || value[Scheme.Length] != ' ')
            return null;
        var key = value[(Scheme.Length + 1)..].Trim();
        return key.Length == 0 ? null : key;
    }
}
