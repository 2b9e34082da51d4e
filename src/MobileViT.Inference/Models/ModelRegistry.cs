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
    private volatile bool _refusing;

    public IReadOnlyList<ModelOptions> Configured { get; } = options.Models;

    public string DefaultModelName { get; } = options.ResolveDefaultModelName();

    /// <summary>Shutdown has begun: readiness is false (requests may still be admitted until <see cref="DrainAsync"/>).</summary>
    public bool IsDraining => _draining;

    /// <summary>New requests are refused: <see cref="DrainAsync"/> was called.</summary>
    public bool IsRefusing => _refusing;

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

    /// <summary>
    /// The model if it takes new requests: loaded and not refusing. During the readiness grace period at shutdown a
    /// model is <see cref="ModelState.Draining"/> (not ready) but still admits, so traffic in flight from load
    /// balancers that have not yet seen readiness turn false is served.
    /// </summary>
    public bool TryGetAdmitting(string name, out ServedModel model) =>
        _loaded.TryGetValue(name, out model!) && !_refusing && model.Batcher.Accepting;

    public IEnumerable<ServedModel> Loaded => Configured.Select(m => _loaded.GetValueOrDefault(m.Name)).OfType<ServedModel>();

    /// <summary>Completes when every model is loaded and warm; faults if one fails to load.</summary>
    public Task WhenAllLoaded => _allLoaded.Task;

    public void MarkLoaded(ServedModel model)
    {
        _loaded[model.Name] = model;
        if (_refusing)
            _ = model.Batcher.DrainAsync();
        if (AllLoaded)
            _allLoaded.TrySetResult();
    }

    public void MarkFailed(string name, string reason)
    {
        _failures[name] = reason;
        _allLoaded.TrySetException(new InvalidOperationException($"Model '{name}' failed to load: {reason}"));
    }

    /// <summary>First step of shutdown: readiness turns false; requests are still admitted.</summary>
    public void BeginDraining() => _draining = true;

    /// <summary>Readiness turns false and every batcher stops admitting; completes when everything admitted has run.</summary>
    public Task DrainAsync()
    {
        _draining = true;
        _refusing = true;
        return Task.WhenAll(_loaded.Values.Select(m => m.Batcher.DrainAsync()));
    }
}
