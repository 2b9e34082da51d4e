using MobileViT.Inference.Configuration;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Serving;

/// <summary>
/// Refuses, before any of its input is read, a request that would only be queued to be refused later: one whose
/// priority's queue is full, and one that the model's live drain rate says cannot finish before its deadline (the
/// requests queued at its priority and above, divided by the drain rate, plus one batch, stretched by
/// <see cref="BatchingOptions.WaitEstimateSafetyFactor"/>). Nothing queued ahead, or no estimate yet, admits: an idle
/// or lightly loaded server refuses nothing. The refusal's retry hint is when the queue ahead should have drained
/// to what the request's deadline can take.
/// </summary>
public sealed class WaitAwareAdmissionRule(MobileViTOptions options, InferenceMetrics metrics) : IAdmissionRule
{
    public AdmissionStage Stage => AdmissionStage.Model;

    public void Admit(AdmissionContext context)
    {
        var model = context.Model!;
        var batcher = model.Batcher;
        var priority = context.Request.Priority;
        if (batcher.IsFull(priority))
            throw batcher.QueueFull(priority);
        if (!options.Batching.WaitAwareAdmission)
            return;

        var prediction = batcher.PredictWait(priority);
        if (prediction is not { Start: { } start, Finish: { } finish, Rate: { } rate })
            return;
        metrics.RecordPredictedWait(model.Name, priority, start);
        var timeout = context.Timeout ?? TimeSpan.FromMilliseconds(options.Batching.RequestTimeoutMs);
        var factor = options.Batching.WaitEstimateSafetyFactor;
        if (finish * factor <= timeout)
            return;
        var admissibleStart = timeout / factor - rate.BatchTime;
        var retryAfter = admissibleStart > TimeSpan.Zero ? start - admissibleStart : start;
        throw new DeadlineUnmeetableException(model.Name, finish, timeout, retryAfter);
    }
}
