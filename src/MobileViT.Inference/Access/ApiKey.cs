namespace MobileViT.Inference.Access;

/// <summary>
/// One configured key: its <see cref="Name"/> (logged, and the <c>client</c> label of the metrics), the SHA-256 of the
/// key itself (the key is never kept, logged or exported), and its own rate limit, if it has one.
/// </summary>
public sealed record ApiKey(string Name, byte[] Hash, ClientRateLimit? RateLimit);
