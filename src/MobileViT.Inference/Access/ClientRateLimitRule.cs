using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Access;

/// <summary>
/// A token bucket per client, before the model is looked up: per key name (the caller the host authenticated), per
/// client address when no keys are configured. A limit on the key's line in the key file wins over
/// <c>MobileViT:RateLimit:Clients:NAME</c>, which wins over the default. Over the limit: <see cref="ErrorKind.RateLimited"/>
/// with the time until the next token.
/// </summary>
public sealed class ClientRateLimitRule : IAdmissionRule, IDisposable
{
    private readonly RateLimitOptions _options;
    private readonly ApiKeyStore _keys;

    // Keyed by the limit too: a rotated key file that changes a key's limit gets that key a new bucket.
    private readonly PartitionedRateLimiter<(string Client, ClientRateLimit Limit)> _limiter =
        PartitionedRateLimiter.Create<(string Client, ClientRateLimit Limit), (string Client, ClientRateLimit Limit)>(
            caller => RateLimitPartition.GetTokenBucketLimiter(caller, c => BucketOptions(c.Limit)));

    public ClientRateLimitRule(IOptions<RateLimitOptions> options, ApiKeyStore keys)
    {
        _options = options.Value;
        _keys = keys;
    }

    public AdmissionStage Stage => AdmissionStage.Caller;

    public void Admit(AdmissionContext context)
    {
        var caller = context.Caller;
        var named = caller.IsNamed ? caller.Name : null;
        var limit = LimitOf(named);
        if (limit is null)
            return;
        var client = named ?? "address " + (caller.Address ?? "unknown");
        using var lease = _limiter.AttemptAcquire((client, limit));
        if (lease.IsAcquired)
            return;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1 / limit.PermitsPerSecond);
        throw new InferenceException(ErrorKind.RateLimited,
            $"Too many requests from this client: the limit is {limit.PermitsPerSecond:0.###}/s with bursts of {limit.BucketSize}. Retry after {Math.Ceiling(retryAfter.TotalSeconds):0} s.",
            ErrorCodes.RateLimited, retryAfter);
    }

    private ClientRateLimit? LimitOf(string? keyName)
    {
        if (keyName is not null)
        {
            if (_keys.Current.Find(keyName)?.RateLimit is { } own)
                return own;
            if (_options.Clients.TryGetValue(keyName, out var configured))
                return configured;
        }
        return _options.Default;
    }

    /// <summary>A bucket of <see cref="ClientRateLimit.BucketSize"/> filled at the limit's rate, no queueing (refuse at once).</summary>
    private static TokenBucketRateLimiterOptions BucketOptions(ClientRateLimit limit)
    {
        var tokens = Math.Max(1, (int)Math.Floor(limit.PermitsPerSecond));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.BucketSize,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokens / limit.PermitsPerSecond),
            QueueLimit = 0,
            AutoReplenishment = false,
        };
    }

    public void Dispose() => _limiter.Dispose();
}
