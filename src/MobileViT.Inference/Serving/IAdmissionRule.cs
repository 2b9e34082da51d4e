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
/// What a rule decides on: the request and its caller, its priority, its timeout counted from <see cref="Arrived"/> (the
/// configured default when the client gave none) and, at <see cref="AdmissionStage.Model"/>, the model (null at
/// <see cref="AdmissionStage.Caller"/>). A rule that keeps something for the admitted request (room in a queue) gives
/// it to <see cref="Hold"/>: the request's scope disposes it when the request ends, admitted or not.
/// </summary>
public sealed record AdmissionContext(InferenceRequest Request, RequestPriority Priority, TimeSpan Timeout, ServedModel? Model)
{
    private List<IDisposable>? _holds;

    public Caller Caller => Request.Caller;

    /// <summary>When the request arrived, a timestamp of the service's <see cref="TimeProvider"/> (0: unknown, now).</summary>
    public long Arrived { get; init; }

    /// <summary>Keeps <paramref name="hold"/> until the request ends.</summary>
    public void Hold(IDisposable hold) => (_holds ??= []).Add(hold);

    internal void Release()
    {
        foreach (var hold in _holds ?? [])
            hold.Dispose();
    }
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
