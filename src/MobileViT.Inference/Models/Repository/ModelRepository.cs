using Microsoft.Extensions.Logging;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models.Versions;
using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Models.Repository;

/// <summary>
/// The model repository (<c>MobileViT:Repository</c>) and the control over it, what Triton's model repository
/// extension exposes: the index, load (or reload) and unload. Every model of the repository is loaded at start-up;
/// then <c>poll</c> applies what changed on disk at each poll, and <c>explicit</c> changes models only when
/// <see cref="LoadAsync"/> or <see cref="UnloadAsync"/> is called. One change at a time.
/// </summary>
public sealed class ModelRepository(MobileViTOptions options, ModelRegistry registry, VersionSwitcher switcher, ILogger<ModelRepository> logger)
{
    private readonly SemaphoreSlim _changing = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ServingConfig> _overrides = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _applied = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _reported = [];

    /// <summary>The repository's directory; null when there is none.</summary>
    public string? Root => options.Repository.Directory;

    public bool Polls => Root is not null && options.Repository.Polls;

    /// <summary>Raised after each poll, with what it changed (models whose versions it tried to change).</summary>
    public event Action<IReadOnlyList<VersionSwitch>>? Polled;

    /// <summary>Start-up: loads every model of the repository, side by side; a model that cannot be loaded is reported, not fatal.</summary>
    internal async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        if (Root is null)
            return;
        await _changing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var models = Scan(Root);
            await Task.WhenAll(models.Select(m => ApplyAsync(m, retryFailed: true, cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>
    /// Reads the repository once and applies what changed since the last read: new models and versions load, changed
    /// ones reload, removed ones unload. A version that failed to load is tried again only once its files change.
    /// </summary>
    public async Task<IReadOnlyList<VersionSwitch>> PollAsync(CancellationToken cancellationToken)
    {
        if (Root is null)
            return [];
        await _changing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!Directory.Exists(Root))
            {
                ModelLog.RepositoryUnreadable(logger, Root, "the directory does not exist");
                return [];
            }
            var models = Scan(Root);
            var names = models.Select(m => m.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var removals = registry.Models.Where(m => m.FromRepository && !names.Contains(m.Name))
                .Select(m => RemoveAsync(m, cancellationToken));
            var changes = models.Where(Changed).Select(m => ApplyAsync(m, retryFailed: false, cancellationToken));
            var switches = await Task.WhenAll(removals.Concat(changes)).ConfigureAwait(false);
            Polled?.Invoke(switches);
            return switches;
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>
    /// Loads or reloads a model from the repository (control API, explicit mode): the versions its configuration
    /// selects that are not serving, or whose files changed, load beside what serves, then traffic switches.
    /// <paramref name="configJson"/> is Triton's <c>config</c> override (a ModelConfig in JSON), applied instead of the
    /// model's <c>model_config.json</c> until the next load without one. Throws <see cref="InferenceException"/>: bad
    /// config or poll mode (invalid input), no such model (unknown model), a version that failed (invalid input, what
    /// served stays).
    /// </summary>
    public async Task<VersionSwitch> LoadAsync(string name, string? configJson, CancellationToken cancellationToken)
    {
        var root = RequireExplicit("load");
        RequireRepositoryModel(name);
        ServingConfig? overridden = null;
        if (configJson is not null)
        {
            try
            {
                overridden = ServingConfigJson.Parse(configJson, name, "parameters.config");
            }
            catch (FormatException e)
            {
                throw new InvalidRequestException(e.Message, ErrorCodes.BadParameter);
            }
        }
        await _changing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var model = RepositoryScanner.Find(root, name)
                ?? throw new InferenceException(ErrorKind.UnknownModel, $"The repository {root} has no model '{name}' (a directory {name}/<version>/).");
            ServingConfig? previous;
            lock (_lock)
            {
                previous = _overrides.GetValueOrDefault(name);
                if (overridden is null)
                    _overrides.Remove(name);
                else
                    _overrides[name] = overridden;
            }
            var result = await ApplyAsync(model, retryFailed: true, cancellationToken).ConfigureAwait(false);
            if (result.Problem is not null)
            {
                // Nothing was applied: the configuration in force stays too.
                lock (_lock)
                {
                    if (previous is null)
                        _overrides.Remove(name);
                    else
                        _overrides[name] = previous;
                }
            }
            return result.Reason is { } reason ? throw new InvalidRequestException($"Failed to load '{name}': {reason}.", ErrorCodes.BadRequest) : result;
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>Unloads a model (control API, explicit mode): it admits no more requests; what it has admitted finishes, then its versions are disposed.</summary>
    public async Task<VersionSwitch> UnloadAsync(string name, CancellationToken cancellationToken)
    {
        RequireExplicit("unload");
        RequireRepositoryModel(name);
        await _changing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var model = registry.FindModel(name);
            if (model is null)
            {
                return RepositoryScanner.Find(Root!, name) is not null
                    ? new VersionSwitch(name, [], [], [], null)
                    : throw new InferenceException(ErrorKind.UnknownModel, $"No model '{name}' is loaded or in the repository.");
            }
            return await RemoveAsync(model, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>
    /// Triton's repository index: every version of every model, loaded or only in the repository, with its state and
    /// why it is not ready; <paramref name="readyOnly"/> keeps the ready ones.
    /// </summary>
    public IReadOnlyList<RepositoryIndexEntry> Index(bool readyOnly)
    {
        var rows = new List<RepositoryIndexEntry>();
        var listed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in registry.AllModels)
        {
            if (!listed.Add(model.Name))
                continue;
            // One row per version: the state closest to serving (a version reloading is READY until the switch).
            rows.AddRange(model.DescribeVersions(_ => null)
                .GroupBy(v => v.Version)
                .Select(g => g.MinBy(v => Rank(v.State))!)
                .Select(v => new RepositoryIndexEntry(model.Name, v.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    RepositoryIndexEntry.StateOf(v.State), v.State == ModelState.Ready ? "" : v.Reason ?? "")));
        }
        if (Root is not null && Directory.Exists(Root))
        {
            IReadOnlyList<RepositoryModel> models;
            try
            {
                models = RepositoryScanner.Scan(Root).Models;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // What is loaded is listed above; the repository's other models are not known now.
                ModelLog.RepositoryUnreadable(logger, Root, e.Message);
                models = [];
            }
            foreach (var model in models.Where(m => !listed.Contains(m.Name)))
            {
                if (model.Versions.Count == 0)
                    rows.Add(new RepositoryIndexEntry(model.Name, "", RepositoryIndexEntry.Unavailable, "unloaded; no version directory"));
                rows.AddRange(model.Versions.Values.OrderBy(v => v.Version).Select(v => new RepositoryIndexEntry(model.Name,
                    v.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), RepositoryIndexEntry.Unavailable, v.Problem ?? "unloaded")));
            }
        }
        return rows.Where(r => !readyOnly || r.State == RepositoryIndexEntry.Ready).OrderBy(r => r.Name, StringComparer.Ordinal)
            .ThenBy(r => r.Version.Length).ThenBy(r => r.Version, StringComparer.Ordinal).ToList();
    }

    private async Task<VersionSwitch> ApplyAsync(RepositoryModel repository, bool retryFailed, CancellationToken cancellationToken)
    {
        if (registry.FindModel(repository.Name) is { Configured: not null })
        {
            ReportOnce(repository.Name, 0, "", "a configured model (MobileViT__Models) has this name; the repository's is ignored");
            return new VersionSwitch(repository.Name, [], [], [], "a configured model has this name");
        }
        foreach (var version in repository.Versions.Values.Where(v => !v.Complete))
            ReportOnce(repository.Name, version.Version, version.Fingerprint, version.Problem!);
        var model = registry.Attach(repository.Name);
        ServingConfig? overridden;
        lock (_lock)
            overridden = _overrides.GetValueOrDefault(repository.Name);
        // An unusable model_config.json is reported and leaves the configuration in force.
        if (repository.ConfigProblem is { } problem)
            ReportOnce(repository.Name, 0, repository.ConfigFingerprint, problem);
        var config = overridden ?? repository.Config ?? (repository.ConfigProblem is null ? ServingConfig.Default : model.Config);
        var result = await switcher.ApplyAsync(model, repository, config, retryFailed, cancellationToken).ConfigureAwait(false);
        lock (_lock)
            _applied[repository.Name] = Signature(repository);
        return result;
    }

    private async Task<VersionSwitch> RemoveAsync(LiveModel model, CancellationToken cancellationToken)
    {
        var result = await switcher.RemoveAsync(model, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _applied.Remove(model.Name);
            _overrides.Remove(model.Name);
        }
        return result;
    }

    /// <summary>Whether the model's directory differs from when it was last applied (its versions' files or its configuration).</summary>
    private bool Changed(RepositoryModel model)
    {
        lock (_lock)
            return !_applied.TryGetValue(model.Name, out var applied) || applied != Signature(model);
    }

    private static string Signature(RepositoryModel model) =>
        string.Join("|", model.Versions.Values.OrderBy(v => v.Version).Select(v => $"{v.Version}:{v.Fingerprint}:{v.Problem}")) + "#" + model.ConfigFingerprint;

    private IReadOnlyList<RepositoryModel> Scan(string root)
    {
        var (models, ignored) = RepositoryScanner.Scan(root);
        foreach (var reason in ignored)
            ReportOnce("", 0, "", reason);
        return models;
    }

    private void ReportOnce(string model, int version, string fingerprint, string problem)
    {
        lock (_lock)
        {
            if (!_reported.Add($"{model}/{version}/{fingerprint}/{problem}"))
                return;
        }
        if (version > 0)
            ModelLog.VersionIgnored(logger, model, version, problem);
        else
            ModelLog.RepositoryEntryIgnored(logger, Root ?? "", model.Length == 0 ? problem : $"model '{model}': {problem}");
    }

    private string RequireExplicit(string operation)
    {
        if (Root is null)
            throw new InvalidRequestException($"There is no model repository to {operation} from: set MobileViT__Repository__Path.", ErrorCodes.BadRequest);
        if (Polls)
        {
            throw new InvalidRequestException(
                $"Explicit model {operation} is not allowed while the repository is polled (MobileViT__Repository__Control=poll): change the repository's " +
                "directories instead, or set MobileViT__Repository__Control=explicit.", ErrorCodes.BadRequest);
        }
        return Root;
    }

    private void RequireRepositoryModel(string name)
    {
        if (registry.FindModel(name) is { Configured: not null })
            throw new InvalidRequestException($"Model '{name}' is configured (MobileViT__Models), not in the repository; it is fixed while the service runs.",
                ErrorCodes.BadRequest);
    }

    private static int Rank(ModelState state) => state switch
    {
        ModelState.Ready => 0,
        ModelState.Loading or ModelState.Tuning or ModelState.Warming => 1,
        ModelState.Draining => 2,
        ModelState.Failed => 3,
        ModelState.Unloaded => 4,
    };
}
