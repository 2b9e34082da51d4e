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
        var state = registry.StateOf(name);
        if (state != ModelState.Ready || !registry.TryGetLoaded(name, out var model))
        {
            throw new ModelUnavailableException(state switch
            {
                ModelState.Draining => $"Model '{name}' is draining for shutdown; send the request to another replica.",
                ModelState.Failed => $"Model '{name}' failed to load.",
                _ => $"Model '{name}' is still loading and warming up; retry shortly.",
            });
        }
        return model;
    }
}
