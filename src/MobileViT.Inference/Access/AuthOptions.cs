namespace MobileViT.Inference.Access;

/// <summary>
/// <c>MobileViT:Auth</c>: API keys. With at least one key configured every API call needs <c>Authorization: Bearer KEY</c>;
/// with none the service is open (opt-in, as TEI's <c>--api-key</c>).
/// </summary>
public sealed class AuthOptions
{
    public const string SectionName = "MobileViT:Auth";

    /// <summary>A file of <c>name:key</c> lines (a Kubernetes Secret mounted as a file); re-read every <see cref="ReloadIntervalSeconds"/>.</summary>
    public string? ApiKeysFile { get; set; }

    /// <summary>Keys given in configuration, <c>name:key</c> each (<c>MobileViT__Auth__ApiKeys__0</c>, ...).</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>
    /// Whether <c>/metrics</c> needs a key too, as every other route does (default on: its labels name every key and
    /// model). Off: Prometheus scrapes without one. Without keys configured the service is open either way.
    /// </summary>
    public bool ProtectMetrics { get; set; } = true;

    /// <summary>Wrong keys one client address may present within <see cref="FailedAttemptWindowSeconds"/> before its further attempts get 429.</summary>
    public int MaxFailedAttempts { get; set; } = 10;

    /// <summary>The window over which <see cref="MaxFailedAttempts"/> counts.</summary>
    public double FailedAttemptWindowSeconds { get; set; } = 60;

    /// <summary>How often the key file is checked for a new version.</summary>
    public double ReloadIntervalSeconds { get; set; } = 2;

    /// <summary><see cref="ApiKeysFile"/>, null when unset or empty (an unset variable in a compose file).</summary>
    public string? KeyFile => string.IsNullOrWhiteSpace(ApiKeysFile) ? null : ApiKeysFile;

    public TimeSpan ReloadInterval => TimeSpan.FromSeconds(ReloadIntervalSeconds);

    public TimeSpan FailedAttemptWindow => TimeSpan.FromSeconds(FailedAttemptWindowSeconds);
}
