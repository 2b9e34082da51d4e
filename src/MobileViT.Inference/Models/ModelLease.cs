namespace MobileViT.Inference.Models;

/// <summary>
/// A request's hold on the version that serves it, from admission until its scope ends: while any is held the version
/// keeps accepting, so a request admitted just before a swap finishes on the version it was admitted to. When the
/// request took the default version and the model has a shadow, <see cref="Shadow"/> is it and
/// <see cref="ShadowSample"/> the fraction of requests it runs.
/// </summary>
internal sealed class ModelLease(ServedModel model, ServedModel? shadow, double shadowSample) : IDisposable
{
    private int _released;

    public ServedModel Model { get; } = model;

    public ServedModel? Shadow { get; } = shadow;

    public double ShadowSample { get; } = shadowSample;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            Model.Leases.Release();
    }
}
