namespace MobileViT.Inference.Batching;

/// <summary>
/// What admission predicted for a request when it admitted it, at <paramref name="AdmittedAt"/> (a timestamp of the
/// batcher's clock): when it would start and finish, from then. The batcher compares it with what happened;
/// <paramref name="Calibrates"/> says whether the comparison is one the margin is calibrated from (see
/// <see cref="AdmissionCalibrator"/>).
/// </summary>
internal sealed record AdmissionPrediction(long AdmittedAt, TimeSpan Start, TimeSpan Finish, bool Calibrates);

/// <summary>
/// Room held in a priority's queue for a request that was admitted and is still being read: counted ahead of later
/// admissions, in deadline order, and against the capacity, until the request is queued and takes it over. The request's
/// scope disposes it when the request ends, which gives the room back if it never was queued (its body turned out to be
/// invalid, its client left). <see cref="Deadline"/> is the request's own, a timestamp of the batcher's clock.
/// </summary>
internal sealed class AdmissionReservation(PriorityRequestQueue queue, Serving.RequestPriority priority, long deadline, AdmissionPrediction? prediction)
    : IDisposable
{
    public Serving.RequestPriority Priority { get; } = priority;

    public long Deadline { get; } = deadline;

    public AdmissionPrediction? Prediction { get; } = prediction;

    public void Dispose() => queue.Release(this);
}
