using System.Collections.Concurrent;
using MobileViT.Inference.Configuration;

namespace MobileViT.Inference.Models;

/// <summary>The configured models and where each stands: loading, ready (loaded and warmed), failed, or draining.</summary>
public sealed class ModelRegistry(MobileViTOptions options)
{
    private readonly ConcurrentDictionary<string, ServedModel> _loaded = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.OrdinalIgnoreCase);
    private readonly TaskCompletionSource _allLoaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _draining;

    public IReadOnlyList<ModelOptions> Configured { get; } = options.Models;

    public string DefaultModelName { get; } = options.ResolveDefaultModelName();

    public bool IsDraining => _draining;

    /// <summary>Every configured model is loaded and warmed.</summary>
    public bool AllLoaded => Configured.All(m => _loaded.ContainsKey(m.Name));

    public bool AnyFailed => !_failures.IsEmpty;

    public bool IsReady => AllLoaded && !_draining;

    public IReadOnlyDictionary<string, string> Failures => _failures;

    public bool IsConfigured(string name) => Configured.Any(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    public ModelState StateOf(string name) =>
        _failures.ContainsKey(name) ? ModelState.Failed
        : !_loaded.ContainsKey(name) ? ModelState.Loading
        : _draining ? ModelState.Draining
        : ModelState.Ready;

    public bool TryGetLoaded(string name, out ServedModel model) => _loaded.TryGetValue(name, out model!);

    public IEnumerable<ServedModel> Loaded => Configured.Select(m => _loaded.GetValueOrDefault(m.Name)).OfType<ServedModel>();

    /// <summary>Completes when every model is loaded and warm; faults if one fails to load.</summary>
    public Task WhenAllLoaded => _allLoaded.Task;

    public void MarkLoaded(ServedModel model)
    {
        _loaded[model.Name] = model;
        if (AllLoaded)
            _allLoaded.TrySetResult();
    }

    public void MarkFailed(string name, string reason)
    {
        _failures[name] = reason;
        _allLoaded.TrySetException(new InvalidOperationException($"Model '{name}' failed to load: {reason}"));
    }

    /// <summary>Readiness turns false and every batcher stops admitting; completes when everything admitted has run.</summary>
    public Task DrainAsync()
    {
        _draining = true;
        return Task.WhenAll(_loaded.Values.Select(m => m.Batcher.DrainAsync()));
    }
}
