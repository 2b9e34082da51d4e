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

/// <summary>What a rule decides on. <see cref="Model"/> is null at <see cref="AdmissionStage.Caller"/>.</summary>
public sealed record AdmissionContext(InferenceRequest Request, ServedModel? Model, TimeSpan? Timeout)
{
    /// <summary>The caller's name (an API key's name), set by the rule that authenticates it, for the rules after it and the metrics' <c>client</c> label.</summary>
    public string? Client { get; set; }
}

/// <summary>
/// A rule the one entry point applies to every request of every protocol, before any of its input is read. A rule
/// refuses by throwing an <see cref="InferenceException"/>; the refusal is counted like any other outcome.
/// </summary>
public interface IAdmissionRule
{
    AdmissionStage Stage { get; }

    void Admit(AdmissionContext context);
}
