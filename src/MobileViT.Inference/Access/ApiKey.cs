namespace MobileViT.Inference.Access;

/// <summary>
/// One configured key: its <see cref="Name"/> (logged, and the <c>client</c> label of the metrics), the SHA-256 of the
/// key itself (the key is never kept, logged or exported), its own rate limit, if it has one, and what it may do
/// (<see cref="ApiKeyScopes"/>; <see cref="ApiKeyScopes.Infer"/> when the key's line names none).
/// </summary>
public sealed record ApiKey(string Name, byte[] Hash, ClientRateLimit? RateLimit, IReadOnlySet<string> Scopes);
