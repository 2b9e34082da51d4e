using Microsoft.Extensions.Logging;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models.Repository;
using MobileViT.Inference.Models.Versions;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Models;

/// <summary>
/// Changes which versions of a model serve, losing no request. New versions load and warm beside the serving ones;
/// then one route replaces the other, atomically. A version taken out of service keeps the requests admitted to it:
/// it is drained once the last of them has finished (<see cref="RequestLeases"/>), its queue is empty and its last run
/// has returned, then disposed and its memory released. A version that fails to load leaves everything serving in
/// place and is reported (its entry's state and error, the listing, a metric, the log). One change per model at a time.
/// </summary>
public sealed class VersionSwitcher(ModelRegistry registry, VersionLoader loader, MobileViTOptions options, ModelVersionMetrics metrics, ILogger<VersionSwitcher> logger)
{
    /// <summary>
    /// Makes <paramref name="model"/> serve what <paramref name="repository"/> holds under <paramref name="config"/>:
    /// loads the versions selected that are not serving (or whose files changed), then switches. With
    /// <paramref name="retryFailed"/> false (polling), a version that failed to load is not tried again until its files change.
    /// </summary>
    internal async Task<VersionSwitch> ApplyAsync(LiveModel model, RepositoryModel repository, ServingConfig config, bool retryFailed,
        CancellationToken cancellationToken)
    {
        await model.Changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var complete = repository.Versions.Values.Where(v => v.Complete).ToDictionary(v => v.Version);
            var desired = config.Select(complete.Keys);
            // A configuration that selects nothing is not applied: what serves, and under which configuration, stays.
            model.Observe(repository.Versions, desired.Count == 0 && model.Serving.Count > 0 ? model.Config : config);
            if (desired.Count == 0)
            {
                var problem = complete.Count == 0
                    ? "the repository has no complete version of this model" + Incomplete(repository)
                    : $"the version policy ({config.Policy}) selects none of the versions in the repository ({string.Join(", ", complete.Keys.Order())})";
                ModelLog.NotApplied(logger, model.Name, problem);
                return new VersionSwitch(model.Name, [], [], [], problem);
            }

            var current = model.Serving;
            var toLoad = desired
                .Where(v => !current.TryGetValue(v, out var serving) || serving.Fingerprint != complete[v].Fingerprint)
                .Where(v => retryFailed || !model.FailedWith(v, complete[v].Fingerprint))
                .ToList();
            var loads = await Task.WhenAll(toLoad.Select(v => LoadAsync(model, complete[v], cancellationToken))).ConfigureAwait(false);

            var next = new Dictionary<int, ServingVersion>(current);
            foreach (var loaded in loads.OfType<ServingVersion>())
                next[loaded.Entry.Version] = loaded;
            var failures = toLoad.Zip(loads).Where(l => l.Second is null).Select(l => l.First)
                // Selected, not serving, and not tried now: it failed before with these very files (polling does not retry those).
                .Concat(desired.Where(v => !toLoad.Contains(v) && !current.ContainsKey(v)))
                .Select(v => new VersionFailure(v, model.FailureReason(v) ?? "not loaded"))
                .ToList();
            // Only when everything selected serves do the versions no longer selected leave: a failed load replaces nothing.
            if (failures.Count == 0 && desired.All(next.ContainsKey))
            {
                foreach (var version in next.Keys.Where(v => !desired.Contains(v)).ToList())
                    next.Remove(version);
            }
            var newlyLoaded = loads.OfType<ServingVersion>().Select(l => l.Entry.Version).ToList();
            var retired = await SwitchAsync(model, next, loads.OfType<ServingVersion>().ToList()).ConfigureAwait(false);
            return new VersionSwitch(model.Name, newlyLoaded, failures, retired, null);
        }
        finally
        {
            model.Changes.Release();
        }
    }

    /// <summary>Loads a configured model (its one version) and makes it serve; throws when it cannot be loaded.</summary>
    internal async Task LoadConfiguredAsync(LiveModel model, CancellationToken cancellationToken)
    {
        await model.Changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var entry = model.BeginLoad(1, model.Configured!);
            ServedModel served;
            try
            {
                served = await loader.LoadAsync(entry, registry.Models.Count, null, beside: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                model.LoadFailed(entry, "configured");
                metrics.RecordLoadFailure(model.Name, 1);
                throw;
            }
            var version = new ServingVersion(entry, served, "configured");
            await SwitchAsync(model, new Dictionary<int, ServingVersion> { [1] = version }, [version]).ConfigureAwait(false);
        }
        finally
        {
            model.Changes.Release();
        }
    }

    /// <summary>Takes every version of the model out of service (it admits nothing from now on); they drain in the background.</summary>
    internal async Task<VersionSwitch> RemoveAsync(LiveModel model, CancellationToken cancellationToken)
    {
        await model.Changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Out of the registry first, so that no request finds it between the two steps; then its versions drain.
            registry.Detach(model);
            var retired = model.Publish(new Dictionary<int, ServingVersion>(), options.Repository.ShadowSample) ?? [];
            ModelLog.ModelUnloaded(logger, model.Name);
            foreach (var version in retired)
                registry.TrackRetirement(RetireAsync(model, version));
            registry.Departed(model);
            return new VersionSwitch(model.Name, [], [], retired.Select(r => r.Entry.Version).ToList(), null);
        }
        finally
        {
            model.Changes.Release();
        }
    }

    /// <summary>Publishes the new route and starts draining what it replaced; once the server is shutting down, disposes the new loads instead.</summary>
    private async Task<IReadOnlyList<int>> SwitchAsync(LiveModel model, Dictionary<int, ServingVersion> next, IReadOnlyList<ServingVersion> loaded)
    {
        var retired = model.Publish(next, options.Repository.ShadowSample);
        if (retired is null)
        {
            foreach (var version in loaded)
            {
                version.Entry.MoveTo(ModelState.Draining);
                await loader.UnloadAsync(version.Model).ConfigureAwait(false);
                version.Entry.MoveTo(ModelState.Unloaded);
            }
            return [];
        }
        var route = model.Route;
        if (route.Default is { } serving)
        {
            ModelLog.Switched(logger, model.Name, string.Join(", ", route.Versions.Keys.Order()), serving.Version,
                route.Shadow is { } shadow ? $", shadow {shadow.Version} on {route.ShadowSample:P0} of requests" : "",
                retired.Count == 0 ? "none" : string.Join(", ", retired.Select(r => r.Entry.Version)));
        }
        foreach (var version in retired)
            registry.TrackRetirement(RetireAsync(model, version));
        return retired.Select(r => r.Entry.Version).ToList();
    }

    /// <summary>Drains a version taken out of service: its admitted requests finish, its queue empties, its last run returns; then it is disposed.</summary>
    private async Task RetireAsync(LiveModel model, ServingVersion version)
    {
        var before = version.Model.Batcher.ImagesRun;
        await version.Model.Leases.RetireAsync().ConfigureAwait(false);
        await version.Model.Batcher.DrainAsync().ConfigureAwait(false);
        var finished = version.Model.Batcher.ImagesRun - before;
        await loader.UnloadAsync(version.Model).ConfigureAwait(false);
        version.Entry.MoveTo(ModelState.Unloaded);
        model.Retired(version.Entry);
        registry.Departed(model);
        ModelLog.VersionUnloaded(logger, model.Name, version.Entry.Version, finished);
    }

    /// <summary>Loads one version beside what serves; null when it fails (its entry says why).</summary>
    private async Task<ServingVersion?> LoadAsync(LiveModel model, VersionDirectory directory, CancellationToken cancellationToken)
    {
        var entry = model.BeginLoad(directory.Version, new ModelOptions { Name = model.Name, Source = directory.Path });
        var fingerprint = directory.Fingerprint;
        try
        {
            var served = await loader.LoadAsync(entry, registry.Models.Count, () =>
            {
                // The files read must be the files scanned: a version still being written is not served.
                var now = RepositoryScanner.ScanVersion(directory.Path, directory.Version);
                if (now.Fingerprint == directory.Fingerprint && now.Complete)
                    return null;
                fingerprint = "changing";
                return "its files changed while they were being read (still being written?); it is read again at the next load or poll";
            }, beside: model.Default is not null, cancellationToken).ConfigureAwait(false);
            return new ServingVersion(entry, served, fingerprint);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            model.LoadFailed(entry, fingerprint);
            metrics.RecordLoadFailure(model.Name, directory.Version);
            ModelLog.VersionLoadFailed(logger, model.Name, directory.Version, directory.Path, e.Message);
            return null;
        }
    }

    private static string Incomplete(RepositoryModel repository)
    {
        var problems = repository.Versions.Values.Where(v => !v.Complete).OrderBy(v => v.Version).Select(v => $"version {v.Version}: {v.Problem}").ToList();
        return problems.Count == 0 ? "" : $" ({string.Join("; ", problems)})";
    }
}

/// <summary>What one change of a model's versions did: the versions loaded, those that failed (with why), those taken out of service, or why nothing was done.</summary>
public sealed record VersionSwitch(string Model, IReadOnlyList<int> Loaded, IReadOnlyList<VersionFailure> Failed, IReadOnlyList<int> Retired, string? Problem)
{
    public bool Succeeded => Problem is null && Failed.Count == 0;

    /// <summary>Why it did not fully succeed, in one sentence; null when it did.</summary>
    public string? Reason => Problem ?? (Failed.Count == 0 ? null
        : $"model '{Model}': " + string.Join("; ", Failed.Select(f => $"version {f.Version} failed to load: {f.Reason}")) + "; the versions serving stay in place");
}

public sealed record VersionFailure(int Version, string Reason);
