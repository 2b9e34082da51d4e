using MobileViT.Inference.Models;

namespace MobileViT.Inference.Serving;

/// <summary>When an admission rule runs: before the model is looked up (who is calling), or once it is known (what it can take).</summary>
public enum AdmissionStage
{
    /// <summary>Before model lookup, so that a refused caller learns nothing about which models exist.</summary>
    Caller,

    /// <summary>After the model is resolved and ready, before the request's input is read.</summary>
    Model,
}

/// <summary>
/// What a rule decides on: the request and its caller, its priority, its timeout counted from arrival (the configured
/// default when the client gave none) and, at <see cref="AdmissionStage.Model"/>, the model (null at
/// <see cref="AdmissionStage.Caller"/>).
/// </summary>
public sealed record AdmissionContext(InferenceRequest Request, RequestPriority Priority, TimeSpan Timeout, ServedModel? Model)
{
    public Caller Caller => Request.Caller;
}

/// <summary>
/// A rule that <see cref="InferenceCall.Admit"/> applies to every request of every protocol, once, before any input it
/// can decide without is read. A rule refuses by throwing an <see cref="InferenceException"/>; the refusal is counted
/// like any other outcome.
/// </summary>
public interface IAdmissionRule
{
    AdmissionStage Stage { get; }

    void Admit(AdmissionContext context);
}
