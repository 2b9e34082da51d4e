using System.Collections.Concurrent;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models.Shadow;
using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Models;

/// <summary>
/// The models served, each a <see cref="LiveModel"/> with its versions: the configured ones (<c>MobileViT:Models</c>,
/// always version 1), in configuration order, then the repository's, by name; admission to them, and the server's own
/// drain at shutdown.
/// </summary>
public sealed class ModelRegistry
{
    /// <summary>How often admission reads a route again after the version it chose was taken out of service in between: far more than a swap needs.</summary>
    private const int AdmissionAttempts = 64;

    private readonly MobileViTOptions _options;
    private readonly Lock _lock = new();
    private readonly List<LiveModel> _departing = [];
    private readonly ConcurrentDictionary<Task, byte> _retirements = new();
    private readonly TaskCompletionSource _allReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile LiveModel[] _models;
    private volatile bool _draining;
    private volatile bool _refusing;
    private volatile bool _started;
    private Task _readinessGate = Task.CompletedTask;

    public ModelRegistry(MobileViTOptions options)
    {
        _options = options;
        _models = options.Models.Select(m => new LiveModel(this, m.Name, m)).ToArray();
    }

    /// <summary>The models served now: configured first, then the repository's by name.</summary>
    public IReadOnlyList<LiveModel> Models => _models;

    /// <summary>The models served and those unloaded whose versions are still draining.</summary>
    public IReadOnlyList<LiveModel> AllModels
    {
        get
        {
            lock (_lock)
                return [.. _models, .. _departing];
        }
    }

    /// <summary>The entry that stands for each model (its default version's, or the one loading or failed), in order.</summary>
    public IReadOnlyList<ModelEntry> Entries => _models.Select(m => m.Representative).ToList();

    /// <summary>How each shadow version agrees with its default.</summary>
    public ShadowAgreements Shadows { get; } = new();

    /// <summary>The default model: <c>MobileViT:DefaultModel</c>, else the first configured model, else the repository's first.</summary>
    public string DefaultModelName => _options.ResolveDefaultModelName() ?? _models.FirstOrDefault()?.Name ?? "";

    /// <summary>Shutdown has begun: readiness is false (requests may still be admitted until <see cref="DrainAsync"/>).</summary>
    public bool IsDraining => _draining;

    /// <summary>New requests are refused: <see cref="DrainAsync"/> was called.</summary>
    public bool IsRefusing => _refusing;

    /// <summary>Start-up loading is over and every configured model is loaded and warm (it may be draining since).</summary>
    public bool AllLoaded => _started && _models.Where(m => m.Configured is not null).All(m => m.Route.Default is not null);

    /// <summary>A configured model failed to load (the service stops).</summary>
    public bool AnyFailed => _models.Any(m => m.Configured is not null && m.Representative.State == ModelState.Failed);

    /// <summary>
    /// Ready: not draining, start-up loading over, the host's own warm-up done (<see cref="ReadinessGate"/>), every
    /// configured model serving and at least one model serving. A repository model none of whose versions loads is
    /// reported (listing, index, metric, log) but does not hold readiness back; a model whose new version fails keeps
    /// serving the old one.
    /// </summary>
    public bool IsReady => !_draining && ReadinessGateOpen && AllLoaded && _models.Any(m => m.Route.Default is not null);

    /// <summary>Whatever the host holds readiness back for besides the models (warming its request path) is done.</summary>
    public bool ReadinessGateOpen => _readinessGate.IsCompleted;

    /// <summary>Completes when what the host holds readiness back for is done.</summary>
    public Task ReadinessGate => _readinessGate;

    /// <summary>Holds readiness back until <paramref name="gate"/> completes, whatever its outcome: the host's own warm-up.</summary>
    public void HoldReadinessUntil(Task gate) => _readinessGate = gate;

    /// <summary>Every loaded version alive: serving, or draining after a swap.</summary>
    public IEnumerable<ServedModel> Loaded => AllModels.SelectMany(m => m.Alive);

    /// <summary>Completes when start-up loading is over and every configured model is ready; faults if one fails to load.</summary>
    public Task WhenAllLoaded => _allReady.Task;

    /// <summary>Completes when the named model serves; faults if it fails to load.</summary>
    public async Task WhenLoaded(string name)
    {
        var model = GetModel(name);
        if (model.WhenServing.IsCompleted)
            return;
        // Ready (which faults when loading fails), then in the model's route: a version is ready a moment before its
        // route is published.
        await model.Representative.WhenReady.ConfigureAwait(false);
        await model.WhenServing.ConfigureAwait(false);
    }

    /// <summary>The named model's entry (the default when <paramref name="name"/> is empty); throws <see cref="UnknownModelException"/>.</summary>
    public ModelEntry Get(string? name) => GetModel(name).Representative;

    /// <summary>The named model (the default when <paramref name="name"/> is empty); throws <see cref="UnknownModelException"/>.</summary>
    public LiveModel GetModel(string? name) =>
        FindModel(name) ?? throw new UnknownModelException(string.IsNullOrEmpty(name) ? DefaultModelName : name, _models.Select(e => e.Name));

    /// <summary>The named model's entry (the default when <paramref name="name"/> is empty), or null when none has that name.</summary>
    public ModelEntry? Find(string? name) => FindModel(name)?.Representative;

    /// <summary>The named model (the default when <paramref name="name"/> is empty), or null when none has that name.</summary>
    public LiveModel? FindModel(string? name)
    {
        var wanted = string.IsNullOrEmpty(name) ? DefaultModelName : name;
        return _models.FirstOrDefault(m => string.Equals(m.Name, wanted, StringComparison.OrdinalIgnoreCase));
    }

    public bool TryGetLoaded(string name, out ServedModel model)
    {
        model = FindModel(name)?.Default!;
        return model is not null;
    }

    /// <summary>
    /// The named model's version (the default when <paramref name="version"/> is empty) if it takes new requests now:
    /// serving, or draining at shutdown during the readiness grace period. Otherwise throws
    /// <see cref="UnknownModelException"/>, an unknown-version <see cref="InferenceException"/> or
    /// <see cref="ModelUnavailableException"/> saying why. Holds no lease: for describing, not for running.
    /// </summary>
    public ServedModel GetAdmitting(string? name, string? version = null)
    {
        var model = GetModel(name);
        var served = Choose(model, model.Route, ParseVersion(model, version));
        RequireAccepting(model, served);
        return served;
    }

    /// <summary>
    /// Whether the named model (its version, when <paramref name="version"/> is given) can serve requests now: ready and
    /// not draining. Throws <see cref="UnknownModelException"/>, or an unknown-version error for a version it has never had.
    /// </summary>
    public bool IsVersionReady(string name, string? version)
    {
        var model = GetModel(name);
        if (ParseVersion(model, version) is not { } v)
            return model.Representative.State == ModelState.Ready;
        if (model.Serving.TryGetValue(v, out var serving))
            return serving.Entry.State == ModelState.Ready;
        return model.DescribeVersions(_ => null).Any(d => d.Version == v)
            ? false
            : throw UnknownVersion(model, version!);
    }

    /// <summary>
    /// Admits a request to the named model's version (its default when <paramref name="version"/> is empty): the
    /// lease keeps that version accepting until the request's scope ends, whatever swap happens meanwhile.
    /// </summary>
    internal ModelLease Admit(string? name, string? version)
    {
        var model = GetModel(name);
        var pinned = ParseVersion(model, version);
        for (var attempt = 0; attempt < AdmissionAttempts; attempt++)
        {
            var route = model.Route;
            var served = Choose(model, route, pinned);
            RequireAccepting(model, served);
            if (served.Leases.TryAcquire())
                return new ModelLease(served, pinned is null ? route.Shadow : null, route.ShadowSample);
            // Taken out of service since the route was read: a newer route is published already.
        }
        throw new ModelUnavailableException($"Model '{model.Name}' is changing versions; retry shortly.");
    }

    /// <summary>Every model, described.</summary>
    public IReadOnlyList<ModelDescription> DescribeAll() => _models.Select(Describe).ToList();

    /// <summary>What protocols tell a client about a model, loaded or not; throws <see cref="UnknownModelException"/>.</summary>
    public ModelDescription Describe(string? name) => Describe(GetModel(name));

    /// <summary>What protocols tell a client about a model, loaded or not.</summary>
    public ModelDescription Describe(LiveModel model)
    {
        var route = model.Route;
        var shadow = route is { Default: { } primary, Shadow: { } candidate }
            ? Shadows.Snapshot(model.Name, primary.Version, candidate.Version, route.ShadowSample)
            : null;
        return ModelDescription.Of(model, string.Equals(model.Name, DefaultModelName, StringComparison.OrdinalIgnoreCase), _options.Batching, shadow);
    }

    /// <summary>The repository model of that name, added (with nothing serving yet) when the registry has none.</summary>
    internal LiveModel Attach(string name)
    {
        lock (_lock)
        {
            if (_models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) is { } existing)
                return existing;
            var model = new LiveModel(this, name, null);
            _models = [.. _models.Where(m => m.Configured is not null), .. _models.Where(m => m.Configured is null).Append(model).OrderBy(m => m.Name, StringComparer.Ordinal)];
            return model;
        }
    }

    /// <summary>An unloaded model leaves the registry: it admits nothing; it is listed as departing until its versions have drained (<see cref="Departed"/>).</summary>
    internal void Detach(LiveModel model)
    {
        lock (_lock)
        {
            _models = _models.Where(m => !ReferenceEquals(m, model)).ToArray();
            _departing.Add(model);
        }
    }

    /// <summary>One of the model's versions has drained; a departing model with none left is forgotten.</summary>
    internal void Departed(LiveModel model)
    {
        lock (_lock)
        {
            if (!model.Draining)
                _departing.Remove(model);
        }
    }

    /// <summary>Keeps a version's drain so that shutdown waits for it.</summary>
    internal void TrackRetirement(Task retirement)
    {
        _retirements[retirement] = 0;
        _ = retirement.ContinueWith(t => _retirements.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Start-up loading is over: the configured models serve (readiness may turn true).</summary>
    internal void MarkStarted()
    {
        _started = true;
        _allReady.TrySetResult();
    }

    /// <summary>A configured model failed to load at start-up.</summary>
    internal void MarkStartFailed(string model, string reason) =>
        _allReady.TrySetException(new InvalidOperationException($"Model '{model}' failed to load: {reason}"));

    /// <summary>First step of shutdown: readiness turns false; requests are still admitted.</summary>
    public void BeginDraining()
    {
        _draining = true;
        foreach (var model in _models)
            model.BeginDraining();
    }

    /// <summary>Readiness turns false and every batcher stops admitting; completes when everything admitted has run.</summary>
    public Task DrainAsync()
    {
        BeginDraining();
        _refusing = true;
        return Task.WhenAll(Loaded.Select(m => m.Batcher.DrainAsync()).Concat(_retirements.Keys));
    }

    /// <summary>Disposes every serving version once drained: each ends <see cref="ModelState.Unloaded"/>.</summary>
    internal async Task UnloadAllAsync()
    {
        await Task.WhenAll(_retirements.Keys).ConfigureAwait(false);
        foreach (var model in AllModels)
            await model.UnloadServingAsync().ConfigureAwait(false);
    }

    private ServedModel Choose(LiveModel model, ModelRoute route, int? version)
    {
        if (version is null)
            return route.Default ?? throw new ModelUnavailableException(NotServingReason(model));
        if (route.Versions.TryGetValue(version.Value, out var served))
            return served;
        var known = model.DescribeVersions(_ => null).FirstOrDefault(v => v.Version == version);
        return known?.State switch
        {
            ModelState.Loading or ModelState.Tuning or ModelState.Warming =>
                throw new ModelUnavailableException($"Version {version} of model '{model.Name}' is still loading and warming up; retry shortly."),
            null => throw UnknownVersion(model, version.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new InferenceException(ErrorKind.UnknownModel,
                $"Version {version} of model '{model.Name}' is not being served ({known.State.Label()}{(known.Reason is null ? "" : ": " + known.Reason)}); " +
                $"it serves {Serving(model)}.", ErrorCodes.UnknownVersion),
        };
    }

    private void RequireAccepting(LiveModel model, ServedModel served)
    {
        if (_refusing || !served.Batcher.Accepting)
            throw new ModelUnavailableException($"Model '{model.Name}' is draining for shutdown; send the request to another replica.");
    }

    /// <summary>The version a request names: null for none (the default); a version that is not a positive whole number does not exist.</summary>
    private static int? ParseVersion(LiveModel model, string? version)
    {
        if (string.IsNullOrEmpty(version))
            return null;
        return version.All(char.IsAsciiDigit) && int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw UnknownVersion(model, version);
    }

    private static InferenceException UnknownVersion(LiveModel model, string version) => new(ErrorKind.UnknownModel,
        $"Model '{model.Name}' has {Serving(model)}; version '{version}' does not exist.", ErrorCodes.UnknownVersion);

    private static string Serving(LiveModel model)
    {
        var versions = model.Route.Versions.Keys.Order().ToList();
        return versions.Count switch
        {
            0 => "no version ready",
            1 => $"only version {versions[0]}",
            _ => $"versions {string.Join(", ", versions)}",
        };
    }

    /// <summary>Why a model has no version to serve, in words a client can act on.</summary>
    private static string NotServingReason(LiveModel model)
    {
        var entry = model.Representative;
        return entry.State switch
        {
            ModelState.Ready or ModelState.Draining => $"Model '{model.Name}' is draining for shutdown; send the request to another replica.",
            ModelState.Unloaded => $"Model '{model.Name}' is unloaded.",
            ModelState.Failed => $"Model '{model.Name}' failed to load{(entry.Error is null ? "" : ": " + entry.Error)}.",
            ModelState.Loading or ModelState.Tuning or ModelState.Warming => $"Model '{model.Name}' is still loading and warming up; retry shortly.",
        };
    }
}
