using System.Collections.Concurrent;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Models;

/// <summary>The configured models and where each stands: loading, tuning, ready (loaded and warmed), failed, or draining.</summary>
public sealed class ModelRegistry(MobileViTOptions options)
{
    private readonly ConcurrentDictionary<string, ServedModel> _loaded = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _failures = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _tuning = new(StringComparer.OrdinalIgnoreCase);
    private readonly TaskCompletionSource _allLoaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _modelLoaded = new(StringComparer.OrdinalIgnoreCase);
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
        : !_loaded.ContainsKey(name) ? (_tuning.ContainsKey(name) ? ModelState.Tuning : ModelState.Loading)
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

    /// <summary>
    /// The named model (the default when <paramref name="name"/> is empty) if it takes new requests now; otherwise
    /// throws <see cref="UnknownModelException"/> or <see cref="ModelUnavailableException"/> (loading, failed, draining).
    /// </summary>
    public ServedModel GetAdmitting(string? name)
    {
        if (string.IsNullOrEmpty(name))
            name = DefaultModelName;
        if (!IsConfigured(name))
            throw new UnknownModelException(name, Configured.Select(m => m.Name));
        if (!TryGetAdmitting(name, out var model))
            throw new ModelUnavailableException(NotAdmittingReason(name, StateOf(name)));
        return model;
    }

    /// <summary>The configured model of that name, in its configured spelling; throws <see cref="UnknownModelException"/>.</summary>
    public ModelOptions GetConfigured(string? name)
    {
        if (string.IsNullOrEmpty(name))
            name = DefaultModelName;
        return Configured.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new UnknownModelException(name, Configured.Select(m => m.Name));
    }

    /// <summary>Why a model takes no requests now, in words a client can act on.</summary>
    private static string NotAdmittingReason(string name, ModelState state) => state switch
    {
        ModelState.Draining or ModelState.Ready => $"Model '{name}' is draining for shutdown; send the request to another replica.",
        ModelState.Failed => $"Model '{name}' failed to load.",
        _ => $"Model '{name}' is still loading and warming up; retry shortly.",
    };

    /// <summary>Every configured model, described.</summary>
    public IReadOnlyList<ModelDescription> DescribeAll() => Configured.Select(m => Describe(m.Name)).ToList();

    /// <summary>What a protocol tells a client about a model, whether or not it is loaded; throws <see cref="UnknownModelException"/>.</summary>
    public ModelDescription Describe(string? name)
    {
        var configured = GetConfigured(name);
        var state = StateOf(configured.Name);
        var isDefault = string.Equals(configured.Name, DefaultModelName, StringComparison.OrdinalIgnoreCase);
        var loaded = _loaded.GetValueOrDefault(configured.Name);
        var batching = new ModelDescription.BatchingSettings(loaded?.MaxBatchSize ?? options.Batching.MaxBatchSize,
            options.Batching.MaxQueueDelayMs, options.Batching.QueueCapacity, options.Batching.RequestTimeoutMs);
        if (loaded is null)
        {
            return new ModelDescription(configured.Name, configured.Source, null, null, isDefault, false, state.ToString().ToLowerInvariant(),
                null, null, null, null, null, batching, _failures.GetValueOrDefault(configured.Name));
        }
        var signature = loaded.Signature;
        return new ModelDescription(configured.Name, configured.Source, loaded.Artifacts.Origin, loaded.Synthetic, isDefault, state == ModelState.Ready,
            state.ToString().ToLowerInvariant(), new ModelDescription.InputShape(signature.Channels, signature.Height, signature.Width), loaded.Labels.Count,
            loaded.ExecutionProvider, loaded.Plan.Instances, loaded.Plan.IntraOpThreads, batching, null,
            new ModelDescription.TensorNames(signature.InputName, signature.OutputName),
            new ModelDescription.PreprocessingSettings(loaded.PreprocessingMode.ToString().ToLowerInvariant(), loaded.Preprocessing.ToString().ToLowerInvariant()),
            loaded.Tuning is { } tuning ? ModelDescription.TuningSummary.Of(tuning) : null);
    }

    public IEnumerable<ServedModel> Loaded => Configured.Select(m => _loaded.GetValueOrDefault(m.Name)).OfType<ServedModel>();

    /// <summary>Completes when every model is loaded and warm; faults if one fails to load.</summary>
    public Task WhenAllLoaded => _allLoaded.Task;

    /// <summary>Completes when the named model is loaded and warm; faults if it fails to load.</summary>
    public Task WhenLoaded(string name) => LoadedSignal(name).Task;

    private TaskCompletionSource LoadedSignal(string name) =>
        _modelLoaded.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>The model's warm-up sweep has begun: still not ready, but no longer just loading.</summary>
    public void MarkTuning(string name) => _tuning[name] = true;

    public void MarkLoaded(ServedModel model)
    {
        _loaded[model.Name] = model;
        LoadedSignal(model.Name).TrySetResult();
        if (_refusing)
            _ = model.Batcher.DrainAsync();
        if (AllLoaded)
            _allLoaded.TrySetResult();
    }

    public void MarkFailed(string name, string reason)
    {
        _failures[name] = reason;
        LoadedSignal(name).TrySetException(new InvalidOperationException($"Model '{name}' failed to load: {reason}"));
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
