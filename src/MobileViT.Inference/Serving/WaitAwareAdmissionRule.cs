using MobileViT.Inference.Configuration;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Serving;

/// <summary>
/// Refuses, before any of its input is read, a request that would only be queued to be refused later: one whose
/// priority's queue is full, and one that the model's live drain rate says cannot finish before its deadline (the
/// requests queued at its priority and above, divided by the drain rate, plus one batch, stretched by
/// <see cref="BatchingOptions.WaitEstimateSafetyFactor"/>). Nothing queued ahead, or no estimate yet, admits: an idle
/// or lightly loaded server refuses nothing. The refusal's retry hint is when the queue ahead should have drained
/// to what the request's deadline can take. This is the only place the prediction is checked.
/// </summary>
public sealed class WaitAwareAdmissionRule(MobileViTOptions options, InferenceMetrics metrics) : IAdmissionRule
{
    public AdmissionStage Stage => AdmissionStage.Model;

    public void Admit(AdmissionContext context)
    {
        var model = context.Model!;
        var batcher = model.Batcher;
        var priority = context.Priority;
        if (batcher.IsFull(priority))
            throw batcher.QueueFull(priority);
        if (!options.Batching.WaitAwareAdmission)
            return;

        var prediction = batcher.PredictWait(priority);
        if (prediction is not { Start: { } start, Finish: { } finish })
            return;
        metrics.RecordPredictedWait(model.Name, priority, start);
        if (prediction.RetryAfterIfUnmeetable(context.Timeout, options.Batching.WaitEstimateSafetyFactor) is { } retryAfter)
            throw new DeadlineUnmeetableException(model.Name, finish, context.Timeout, retryAfter);
    }
}
