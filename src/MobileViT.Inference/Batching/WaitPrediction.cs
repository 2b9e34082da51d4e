namespace MobileViT.Inference.Batching;

/// <summary>
/// When a new request would start and finish, from now, played forward over the work admitted ahead of it
/// (<see cref="DrainSimulation"/>), and the calibrated <paramref name="Margin"/> its finish is stretched by before it
/// is compared with a deadline. <paramref name="Ahead"/> is false when nothing admitted would go before it: then nothing
/// can be said against admitting it, and an idle or lightly loaded server refuses nothing.
/// <paramref name="BreaksPromises"/>: admitting it would make a request of its priority already admitted, with a later
/// deadline, finish too late.
/// </summary>
internal readonly record struct WaitPrediction(TimeSpan Start, TimeSpan Finish, bool Ahead, AdmissionMargin Margin, bool BreaksPromises = false)
{
    /// <summary>
    /// Null when the request can finish within <paramref name="remaining"/> (its predicted finish stretched by the
    /// margin) without breaking a promise, or when nothing is ahead of it. Otherwise how long until the work ahead has
    /// drained to what that deadline allows: the retry hint of the refusal.
    /// </summary>
    public TimeSpan? RetryAfterIfUnmeetable(TimeSpan remaining)
    {
        if (!Ahead || (Margin.Stretch(Finish) <= remaining && !BreaksPromises))
            return null;
        var admissibleStart = Margin.LongestWithin(remaining) - (Finish - Start);
        return admissibleStart > TimeSpan.Zero && Start > admissibleStart ? Start - admissibleStart : Start;
    }
}

/// <summary>
/// What <see cref="DynamicBatcher.Admit"/> decided: <paramref name="QueueFull"/>, or the prediction it decided on
/// (null before any batch has run) and, when the deadline cannot be met, the retry hint. An admitted request's
/// <see cref="Reservation"/> holds its place until it is queued or its scope disposes it.
/// </summary>
internal readonly record struct AdmissionDecision(bool QueueFull, WaitPrediction? Prediction, TimeSpan? RetryAfter)
{
    public AdmissionReservation? Reservation { get; init; }

    public bool Admitted => !QueueFull && RetryAfter is null;
}
