using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Models;

/// <summary>
/// The configured models, each with its <see cref="ModelEntry"/> (its state and, once loaded, the model), and the
/// server's own drain at shutdown.
/// </summary>
public sealed class ModelRegistry
{
    private readonly MobileViTOptions _options;
    private readonly ModelEntry[] _entries;
    private readonly Dictionary<string, ModelEntry> _byName;
    private readonly TaskCompletionSource _allReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _draining;
    private volatile bool _refusing;
    private Task _readinessGate = Task.CompletedTask;

    public ModelRegistry(MobileViTOptions options)
    {
        _options = options;
        _entries = options.Models.Select(m => new ModelEntry(m)).ToArray();
        _byName = _entries.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);
        DefaultModelName = options.ResolveDefaultModelName();
        foreach (var entry in _entries)
            entry.Moved += OnMoved;
    }

    public IReadOnlyList<ModelEntry> Entries => _entries;

    public string DefaultModelName { get; }

    /// <summary>Shutdown has begun: readiness is false (requests may still be admitted until <see cref="DrainAsync"/>).</summary>
    public bool IsDraining => _draining;

    /// <summary>New requests are refused: <see cref="DrainAsync"/> was called.</summary>
    public bool IsRefusing => _refusing;

    /// <summary>Every configured model has been loaded and warmed (it may be draining since).</summary>
    public bool AllLoaded => _entries.All(e => e.Served is not null);

    public bool AnyFailed => _entries.Any(e => e.State == ModelState.Failed);

    public bool IsReady => !_draining && ReadinessGateOpen && _entries.All(e => e.State == ModelState.Ready);

    /// <summary>Whatever the host holds readiness back for besides the models (warming its request path) is done.</summary>
    public bool ReadinessGateOpen => _readinessGate.IsCompleted;

    /// <summary>Completes when what the host holds readiness back for is done.</summary>
    public Task ReadinessGate => _readinessGate;

    /// <summary>Holds readiness back until <paramref name="gate"/> completes, whatever its outcome: the host's own warm-up.</summary>
    public void HoldReadinessUntil(Task gate) => _readinessGate = gate;

    /// <summary>The loaded models, in configuration order.</summary>
    public IEnumerable<ServedModel> Loaded => _entries.Select(e => e.Served).OfType<ServedModel>();

    /// <summary>Completes when every model is ready; faults if one fails to load.</summary>
    public Task WhenAllLoaded => _allReady.Task;

    /// <summary>Completes when the named model is ready; faults if it fails to load.</summary>
    public Task WhenLoaded(string name) => Get(name).WhenReady;

    /// <summary>The named model's entry (the default when <paramref name="name"/> is empty); throws <see cref="UnknownModelException"/>.</summary>
    public ModelEntry Get(string? name)
    {
        return Find(name) ?? throw new UnknownModelException(string.IsNullOrEmpty(name) ? DefaultModelName : name, _entries.Select(e => e.Name));
    }

    /// <summary>The named model's entry (the default when <paramref name="name"/> is empty), or null when none has that name.</summary>
    public ModelEntry? Find(string? name) => _byName.GetValueOrDefault(string.IsNullOrEmpty(name) ? DefaultModelName : name);

    public bool TryGetLoaded(string name, out ServedModel model)
    {
        model = _byName.GetValueOrDefault(name)?.Served!;
        return model is not null;
    }

    /// <summary>
    /// The named model (the default when <paramref name="name"/> is empty) if it takes new requests now: ready, or
    /// draining at shutdown during the readiness grace period, so that traffic from load balancers that have not yet
    /// seen readiness turn false is served. Otherwise throws <see cref="UnknownModelException"/> or
    /// <see cref="ModelUnavailableException"/> saying why.
    /// </summary>
    public ServedModel GetAdmitting(string? name)
    {
        var entry = Get(name);
        var model = entry.Served;
        if (model is not null && !_refusing && model.Batcher.Accepting && entry.State is ModelState.Ready or ModelState.Draining)
            return model;
        throw new ModelUnavailableException(NotAdmittingReason(entry.Name, entry.State));
    }

    /// <summary>Why a model takes no requests now, in words a client can act on.</summary>
    private static string NotAdmittingReason(string name, ModelState state) => state switch
    {
        ModelState.Ready or ModelState.Draining => $"Model '{name}' is draining for shutdown; send the request to another replica.",
        ModelState.Unloaded => $"Model '{name}' is unloaded.",
        ModelState.Failed => $"Model '{name}' failed to load.",
        ModelState.Loading or ModelState.Tuning or ModelState.Warming => $"Model '{name}' is still loading and warming up; retry shortly.",
    };

    /// <summary>Every configured model, described.</summary>
    public IReadOnlyList<ModelDescription> DescribeAll() => _entries.Select(Describe).ToList();

    /// <summary>What protocols tell a client about a model, loaded or not; throws <see cref="UnknownModelException"/>.</summary>
    public ModelDescription Describe(string? name) => Describe(Get(name));

    private ModelDescription Describe(ModelEntry entry) =>
        ModelDescription.Of(entry, string.Equals(entry.Name, DefaultModelName, StringComparison.OrdinalIgnoreCase), _options.Batching);

    /// <summary>The model's load has reached <paramref name="state"/> (tuning or warming).</summary>
    internal void MarkProgress(string name, ModelState state) => Get(name).MoveTo(state);

    /// <summary>The model is loaded and warm: it serves, unless the server is already refusing (then it drains at once).</summary>
    internal void MarkLoaded(ServedModel model)
    {
        var entry = Get(model.Name);
        entry.MoveTo(ModelState.Ready, model);
        if (_draining)
            entry.MoveTo(ModelState.Draining);
        if (_refusing)
            _ = model.Batcher.DrainAsync();
    }

    internal void MarkFailed(string name, string reason) => Get(name).MoveTo(ModelState.Failed, error: reason);

    /// <summary>First step of shutdown: readiness turns false; requests are still admitted.</summary>
    public void BeginDraining()
    {
        _draining = true;
        foreach (var entry in _entries.Where(e => e.State == ModelState.Ready))
            entry.MoveTo(ModelState.Draining);
    }

    /// <summary>Readiness turns false and every batcher stops admitting; completes when everything admitted has run.</summary>
    public Task DrainAsync()
    {
        BeginDraining();
        _refusing = true;
        return Task.WhenAll(Loaded.Select(m => m.Batcher.DrainAsync()));
    }

    /// <summary>Disposes every loaded model once drained: each ends <see cref="ModelState.Unloaded"/>.</summary>
    internal async Task UnloadAllAsync()
    {
        foreach (var entry in _entries)
        {
            if (entry.Served is not { } model || entry.State != ModelState.Draining)
                continue;
            await model.DisposeAsync().ConfigureAwait(false);
            entry.MoveTo(ModelState.Unloaded);
        }
    }

    private void OnMoved(ModelEntry entry, ModelState previous)
    {
        if (entry.State == ModelState.Failed)
            _allReady.TrySetException(new InvalidOperationException($"Model '{entry.Name}' failed to load: {entry.Error}"));
        else if (_entries.All(e => e.Served is not null))
            _allReady.TrySetResult();
    }
}
