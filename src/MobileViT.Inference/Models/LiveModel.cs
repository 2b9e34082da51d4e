using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models.Repository;
using MobileViT.Inference.Models.Versions;

namespace MobileViT.Inference.Models;

/// <summary>
/// One model, by name, and its versions: those serving (in its <see cref="ModelRoute"/>, replaced as a whole when they
/// change), those loading beside them, those draining after a swap, the last failure of each version, and what the
/// repository last held. Each version's lifecycle is its <see cref="ModelEntry"/>; this class only groups them and
/// publishes the route. Changes are made by <see cref="VersionSwitcher"/>, one at a time (<see cref="Changes"/>).
/// </summary>
public sealed class LiveModel
{
    private readonly Lock _lock = new();
    private readonly ModelRegistry _registry;
    private readonly Dictionary<int, ServingVersion> _serving = [];
    private readonly List<ModelEntry> _loading = [];
    private readonly Dictionary<int, (ModelEntry Entry, string Fingerprint)> _failures = [];
    private readonly List<ModelEntry> _retiring = [];
    private IReadOnlyDictionary<int, VersionDirectory> _repository = new Dictionary<int, VersionDirectory>();
    private ModelRoute _route = ModelRoute.Empty;
    private readonly TaskCompletionSource _firstServing = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal LiveModel(ModelRegistry registry, string name, ModelOptions? configured)
    {
        _registry = registry;
        Name = name;
        Configured = configured;
        if (configured is not null)
            _loading.Add(new ModelEntry(configured));
    }

    public string Name { get; }

    /// <summary>The model's settings when it is configured (<c>MobileViT:Models</c>, always version 1); null for a repository model.</summary>
    public ModelOptions? Configured { get; }

    public bool FromRepository => Configured is null;

    /// <summary>The serving configuration in force (policy, default and shadow versions).</summary>
    public ServingConfig Config { get; private set; } = ServingConfig.Default;

    /// <summary>Serialises changes to the model's versions: one load, reload or unload at a time.</summary>
    internal SemaphoreSlim Changes { get; } = new(1, 1);

    internal ModelRoute Route => Volatile.Read(ref _route);

    /// <summary>The default version's served model, if one is ready.</summary>
    public ServedModel? Default => Route.Default;

    /// <summary>Completes when a route with a default version has first been published: the model serves.</summary>
    public Task WhenServing => _firstServing.Task;

    /// <summary>
    /// The entry that stands for the model as a whole: the default version's, else the newest loading, failed or
    /// draining one; health and the model listings take its state as the model's.
    /// </summary>
    public ModelEntry Representative
    {
        get
        {
            lock (_lock)
            {
                var route = _route;
                if (route.Default is { } model && _serving.TryGetValue(model.Version, out var serving))
                    return serving.Entry;
                return _loading.LastOrDefault()
                    ?? _failures.Values.OrderBy(f => f.Entry.Version).Select(f => f.Entry).LastOrDefault()
                    ?? _retiring.LastOrDefault()
                    ?? _serving.Values.Select(s => s.Entry).LastOrDefault()
                    ?? Placeholder();
            }
        }
    }

    /// <summary>Every loaded version alive (serving or draining), for the server's own drain at shutdown.</summary>
    internal IReadOnlyList<ServedModel> Alive
    {
        get
        {
            lock (_lock)
                return _serving.Values.Select(s => s.Model).Concat(_retiring.Select(e => e.Served).OfType<ServedModel>()).ToList();
        }
    }

    internal IReadOnlyDictionary<int, ServingVersion> Serving
    {
        get
        {
            lock (_lock)
                return new Dictionary<int, ServingVersion>(_serving);
        }
    }

    /// <summary>Whether <paramref name="version"/> last failed to load from files with this fingerprint (poll mode does not retry those).</summary>
    internal bool FailedWith(int version, string fingerprint)
    {
        lock (_lock)
            return _failures.TryGetValue(version, out var failure) && failure.Fingerprint == fingerprint;
    }

    /// <summary>Why <paramref name="version"/> last failed to load; null when it has not.</summary>
    internal string? FailureReason(int version)
    {
        lock (_lock)
            return _failures.TryGetValue(version, out var failure) ? failure.Entry.Error : null;
    }

    /// <summary>What the repository holds for this model now, and the configuration to apply (the file's, or the control API's override).</summary>
    internal void Observe(IReadOnlyDictionary<int, VersionDirectory> repository, ServingConfig config)
    {
        lock (_lock)
        {
            _repository = repository;
            Config = config;
            // A failure is reported while the files that failed are still there.
            foreach (var version in _failures.Keys.Where(v => !repository.TryGetValue(v, out var d) || d.Fingerprint != _failures[v].Fingerprint).ToList())
                _failures.Remove(version);
        }
    }

    /// <summary>A new load of <paramref name="version"/> begins beside whatever serves; the configured model's first load reuses its entry.</summary>
    internal ModelEntry BeginLoad(int version, ModelOptions options)
    {
        lock (_lock)
        {
            var existing = _loading.FirstOrDefault(e => e.Version == version && e.State == ModelState.Loading && e.Served is null);
            if (existing is not null && Configured is not null)
                return existing;
            var entry = new ModelEntry(options, version);
            _loading.Add(entry);
            return entry;
        }
    }

    internal void LoadFailed(ModelEntry entry, string fingerprint)
    {
        lock (_lock)
        {
            _loading.Remove(entry);
            _failures[entry.Version] = (entry, fingerprint);
        }
    }

    /// <summary>A load that will not be published (the server began shutting down meanwhile).</summary>
    internal void LoadAbandoned(ModelEntry entry)
    {
        lock (_lock)
            _loading.Remove(entry);
    }

    /// <summary>
    /// Makes <paramref name="next"/> the serving versions and publishes the route they give, in one step; returns the
    /// versions taken out of service (moved to <see cref="ModelState.Draining"/>), which the caller drains and disposes.
    /// Returns null, publishing nothing, once the server is shutting down.
    /// </summary>
    internal IReadOnlyList<ServingVersion>? Publish(IReadOnlyDictionary<int, ServingVersion> next, double defaultShadowSample)
    {
        lock (_lock)
        {
            if (_registry.IsDraining)
                return null;
            foreach (var version in next.Values)
            {
                _loading.Remove(version.Entry);
                if (_failures.TryGetValue(version.Entry.Version, out var failure) && failure.Fingerprint == version.Fingerprint)
                    _failures.Remove(version.Entry.Version);
            }
            var retired = _serving.Values.Where(s => !next.Values.Any(n => ReferenceEquals(n.Model, s.Model))).ToList();
            _serving.Clear();
            foreach (var (version, serving) in next)
                _serving[version] = serving;
            Volatile.Write(ref _route, BuildRoute(defaultShadowSample));
            if (_route.Default is not null)
                _firstServing.TrySetResult();
            foreach (var version in retired)
            {
                version.Entry.MoveTo(ModelState.Draining);
                _retiring.Add(version.Entry);
            }
            return retired;
        }
    }

    /// <summary>A retired version has drained and been disposed.</summary>
    internal void Retired(ModelEntry entry)
    {
        lock (_lock)
            _retiring.Remove(entry);
    }

    /// <summary>True while versions taken out of service are still draining.</summary>
    internal bool Draining
    {
        get
        {
            lock (_lock)
                return _retiring.Count > 0;
        }
    }

    /// <summary>First step of the server's shutdown: every serving version stops being ready (it still serves until the server refuses).</summary>
    internal void BeginDraining()
    {
        lock (_lock)
        {
            foreach (var serving in _serving.Values.Where(s => s.Entry.State == ModelState.Ready))
                serving.Entry.MoveTo(ModelState.Draining);
        }
    }

    /// <summary>At shutdown, after the drain: disposes every serving version.</summary>
    internal async Task UnloadServingAsync()
    {
        List<ServingVersion> serving;
        lock (_lock)
            serving = _serving.Values.Where(s => s.Entry.State == ModelState.Draining).ToList();
        foreach (var version in serving)
        {
            await version.Model.DisposeAsync().ConfigureAwait(false);
            version.Entry.MoveTo(ModelState.Unloaded);
        }
    }

    /// <summary>Every version the model has or had: loaded ones with their states, and the repository's others with why they are not loaded.</summary>
    internal IReadOnlyList<ModelDescription.VersionDescription> DescribeVersions(Func<ModelEntry, ModelDescription.LoadedFacts?> facts)
    {
        lock (_lock)
        {
            var route = _route;
            var rows = new List<ModelDescription.VersionDescription>();
            void Add(ModelEntry entry) => rows.Add(new ModelDescription.VersionDescription(entry.Version, entry.State, entry.Error,
                entry.Served is not null && ReferenceEquals(route.Default, entry.Served), entry.Served is not null && ReferenceEquals(route.Shadow, entry.Served),
                facts(entry), entry.Served?.Batcher.ImagesRun ?? 0));
            foreach (var serving in _serving.Values)
                Add(serving.Entry);
            foreach (var entry in _loading.Concat(_retiring).Concat(_failures.Values.Select(f => f.Entry)))
                Add(entry);
            var listed = rows.Select(r => r.Version).ToHashSet();
            var selected = Config.Select(_repository.Values.Where(v => v.Complete).Select(v => v.Version)).ToHashSet();
            foreach (var directory in _repository.Values.Where(d => !listed.Contains(d.Version)))
            {
                var reason = directory.Problem ?? (selected.Contains(directory.Version) ? "not loaded" : $"not selected by the version policy ({Config.Policy})");
                rows.Add(new ModelDescription.VersionDescription(directory.Version, ModelState.Unloaded, reason, false, false, null, 0));
            }
            return rows.OrderByDescending(r => r.Version).ThenBy(r => r.State).ToList();
        }
    }

    private ModelRoute BuildRoute(double defaultShadowSample)
    {
        if (_serving.Count == 0)
            return ModelRoute.Empty;
        var versions = _serving.ToDictionary(s => s.Key, s => s.Value.Model);
        // The default: the configured one if it serves, else the newest that is not the shadow (the shadow only when it is alone).
        var defaultVersion = Config.DefaultVersion is { } pinned && versions.ContainsKey(pinned)
            ? pinned
            : versions.Keys.Where(v => v != Config.ShadowVersion).DefaultIfEmpty(versions.Keys.Max()).Max();
        var shadow = Config.ShadowVersion is { } s && s != defaultVersion && versions.TryGetValue(s, out var shadowModel) ? shadowModel : null;
        return new ModelRoute(versions[defaultVersion], versions, shadow, Config.ShadowSample ?? defaultShadowSample);
    }

    /// <summary>An entry for a model that has no version at all to show: why none can be loaded.</summary>
    private ModelEntry Placeholder()
    {
        var entry = new ModelEntry(new ModelOptions { Name = Name, Source = "repository" }, 0);
        var reasons = _repository.Values.Where(v => !v.Complete).OrderBy(v => v.Version).Select(v => $"version {v.Version}: {v.Problem}").ToList();
        entry.MoveTo(ModelState.Failed, error: reasons.Count == 0
            ? "The repository has no version of this model (<model>/<version>/ directories, versions from 1)."
            : "No version of this model can be loaded: " + string.Join("; ", reasons) + ".");
        return entry;
    }
}

/// <summary>A loaded version in a model's route: its entry, the model, and the fingerprint of the files it was loaded from.</summary>
internal sealed record ServingVersion(ModelEntry Entry, ServedModel Model, string Fingerprint);
