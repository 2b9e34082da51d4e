using MobileViT.Inference.Batching;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Hosting;

public static class ReadyModelResolver
{
    /// <summary>
    /// The named model (the default when <paramref name="name"/> is empty) if it can take requests now; otherwise throws
    /// <see cref="UnknownModelException"/> or <see cref="ModelUnavailableException"/> (loading, failed, draining).
    /// </summary>
    public static ServedModel ResolveReady(this ModelRegistry registry, string? name)
    {
        if (string.IsNullOrEmpty(name))
            name = registry.DefaultModelName;
        if (!registry.IsConfigured(name))
            throw new UnknownModelException(name, registry.Configured.Select(m => m.Name));
        // A draining model still admits during the readiness grace period; TryGetAdmitting says when it stops.
        if (!registry.TryGetAdmitting(name, out var model))
        {
            throw new ModelUnavailableException(NotAdmittingReason(name, registry.StateOf(name)));
        }
        return model;
    }

    /// <summary>Why a model takes no requests now, in words a client can act on.</summary>
    public static string NotAdmittingReason(string name, ModelState state) => state switch
    {
        ModelState.Draining or ModelState.Ready => $"Model '{name}' is draining for shutdown; send the request to another replica.",
        ModelState.Failed => $"Model '{name}' failed to load.",
        _ => $"Model '{name}' is still loading and warming up; retry shortly.",
    };
}
