using MobileViT.Inference.Configuration;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Serving;

/// <summary>
/// Refuses, before any of its input is read, a request that would only be queued to be refused later: one whose
/// priority's queue is full, and one that cannot finish before its deadline. The model's batcher plays the work
/// already admitted ahead of the request forward (the batches running now, then the queue by priority and deadline at
/// the measured time of a batch by its size), stretches the predicted finish by a margin calibrated from how far
/// recent predictions were from what happened, and also refuses a request that would make one already admitted with a
/// later deadline finish too late. Nothing admitted ahead, or no estimate yet, admits: an idle or lightly loaded
/// server refuses nothing. An admitted request holds its place while its body is read, until it is queued or its
/// scope ends (<see cref="AdmissionContext.Hold"/>). The refusal's retry hint is
/// when the work ahead should have drained to what the request's deadline can take. This is the only place the
/// prediction is checked.
/// </summary>
public sealed class WaitAwareAdmissionRule(MobileViTOptions options, InferenceMetrics metrics) : IAdmissionRule
{
    public AdmissionStage Stage => AdmissionStage.Model;

    public void Admit(AdmissionContext context)
    {
        var model = context.Model!;
        var batcher = model.Batcher;
        var priority = context.Priority;
        var decision = batcher.Admit(priority, context.Arrived, context.Timeout, options.Batching.WaitAwareAdmission);
        if (decision.Reservation is { } reservation)
            context.Hold(reservation);
        if (decision.QueueFull)
            throw batcher.QueueFull(priority);
        if (decision.Prediction is not { } prediction)
            return;
        metrics.RecordPredictedWait(model.Name, priority, prediction.Start);
        if (decision.RetryAfter is { } retryAfter)
            throw new DeadlineUnmeetableException(model.Name, prediction.Finish, context.Timeout, retryAfter);
    }
}
