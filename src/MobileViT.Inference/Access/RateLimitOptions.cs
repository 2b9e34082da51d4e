namespace MobileViT.Inference.Access;

/// <summary>
/// <c>MobileViT:RateLimit</c>: a token bucket per client (the key's name; the client's address when no keys are
/// configured). Off while <see cref="PermitsPerSecond"/> is 0.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "MobileViT:RateLimit";

    /// <summary>Sustained inference requests per second per client; 0 turns rate limiting off.</summary>
    public double PermitsPerSecond { get; set; }

    /// <summary>Requests a client may send at once after being idle (the bucket's size); default: one second's worth, at least 1.</summary>
    public int? Burst { get; set; }

    /// <summary>Per-key overrides by key name (<c>MobileViT__RateLimit__Clients__NAME__PermitsPerSecond</c>, <c>__Burst</c>).</summary>
    public Dictionary<string, ClientRateLimit> Clients { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => PermitsPerSecond > 0;

    /// <summary>The default limit; null when rate limiting is off.</summary>
    public ClientRateLimit? Default => Enabled ? new ClientRateLimit { PermitsPerSecond = PermitsPerSecond, Burst = Burst } : null;
}
