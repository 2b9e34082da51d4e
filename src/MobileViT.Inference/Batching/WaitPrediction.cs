namespace MobileViT.Inference.Batching;

/// <summary>
/// What a new request would wait for: <paramref name="Ahead"/> requests queued at its priority and above, drained at
/// <paramref name="Rate"/>. No prediction (null <see cref="Start"/>) with nothing ahead or no estimate yet: then
/// nothing can be said against admitting it.
/// </summary>
internal readonly record struct WaitPrediction(int Ahead, DrainRate? Rate)
{
    /// <summary>When the request would start, from now.</summary>
    public TimeSpan? Start => Ahead > 0 && Rate is { } rate ? rate.TimeFor(Ahead) : null;

    /// <summary>When the request would finish, from now: its start plus one batch.</summary>
    public TimeSpan? Finish => Start is { } start ? start + Rate!.Value.BatchTime : null;

    /// <summary>
    /// Null when the request can finish within <paramref name="remaining"/> (its predicted finish stretched by
    /// <paramref name="safetyFactor"/>), or when there is no prediction. Otherwise how long until the queue ahead has
    /// drained to what that deadline allows: the retry hint of the refusal.
    /// </summary>
    public TimeSpan? RetryAfterIfUnmeetable(TimeSpan remaining, double safetyFactor)
    {
        if (Start is not { } start || Finish is not { } finish || finish * safetyFactor <= remaining)
            return null;
        var admissibleStart = remaining / safetyFactor - Rate!.Value.BatchTime;
        return admissibleStart > TimeSpan.Zero ? start - admissibleStart : start;
    }
}
