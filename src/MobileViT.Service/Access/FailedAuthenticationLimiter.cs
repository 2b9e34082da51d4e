using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Access;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.Access;

/// <summary>
/// Limits guessing keys: each wrong key takes a permit from its client address's window of
/// <see cref="AuthOptions.MaxFailedAttempts"/> per <see cref="AuthOptions.FailedAttemptWindowSeconds"/>; once the window has
/// none left, that address's further attempts are refused with 429 before any key is checked, until it renews.
/// Counted in <c>mobilevit.auth.failures</c> (<c>reason</c>: <c>invalid_key</c>, <c>limited</c>).
/// </summary>
internal sealed class FailedAuthenticationLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly Counter<long> _failures;
    private readonly TimeSpan _window;

    public FailedAuthenticationLimiter(IOptions<AuthOptions> options, IMeterFactory meters)
    {
        var auth = options.Value;
        _window = auth.FailedAttemptWindow;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = auth.MaxFailedAttempts, Window = auth.FailedAttemptWindow, QueueLimit = 0 }));
        _failures = meters.Create(InferenceMetrics.MeterName).CreateCounter<long>("mobilevit.auth.failures", "{attempt}",
            "Authentication attempts with a wrong key (reason=invalid_key), and attempts refused because their address presented too many (reason=limited).");
    }

    /// <summary>When the address has used up its failed attempts: how long until it may try again; null while it may.</summary>
    public TimeSpan? RetryAfter(string address)
    {
        using var lease = _limiter.AttemptAcquire(address, permitCount: 0);
        if (lease.IsAcquired)
            return null;
        _failures.Add(1, new KeyValuePair<string, object?>("reason", "limited"));
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : _window;
    }

    /// <summary>The address presented a wrong key.</summary>
    public void RecordFailure(string address)
    {
        _failures.Add(1, new KeyValuePair<string, object?>("reason", "invalid_key"));
        using var _ = _limiter.AttemptAcquire(address);
    }

    public void Dispose() => _limiter.Dispose();
}
