using Microsoft.Extensions.Logging;

namespace MobileViT.Inference.Models;

/// <summary>The log events of loading and serving models.</summary>
internal static partial class ModelLog
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Critical, Message = "Model {Model} ({Source}) could not be loaded: {Reason}. Stopping.")]
    public static partial void LoadFailed(ILogger logger, Exception exception, string model, string source, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "All {Count} model(s) loaded and warm; ready")]
    public static partial void AllReady(ILogger logger, int count);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information,
        Message = "Model {Model} ({Origin}) loaded in {Load:0} ms, {Instances} instance(s) x {Threads} thread(s) on {Providers}, preprocessing on {Preprocessing} threads, warmed with batch sizes 1..{MaxBatch} in {WarmUp:0} ms")]
    public static partial void Loaded(ILogger logger, string model, string origin, double load, int instances, int threads, string providers,
        string preprocessing, int maxBatch, double warmUp);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information,
        Message = "Model {Model} tuned on {Provider} in {Duration:0.0} s: chose {Chosen} ({WithinBudget}), from {Measured} of {Total} candidate(s): {Figures}")]
    public static partial void Tuned(ILogger logger, string model, string provider, double duration, string chosen, string withinBudget, int measured,
        int total, string figures);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information,
        Message = "Model {Model}: serving version(s) {Versions}, default {Default}{Shadow}; taken out of service: {Retired}")]
    public static partial void Switched(ILogger logger, string model, string versions, int @default, string shadow, string retired);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Error,
        Message = "Model {Model} version {Version} ({Path}) could not be loaded: {Reason}. The versions serving stay in place.")]
    public static partial void VersionLoadFailed(ILogger logger, string model, int version, string path, string reason);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Warning, Message = "Model {Model} version {Version} in the repository is ignored: {Reason}")]
    public static partial void VersionIgnored(ILogger logger, string model, int version, string reason);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Information,
        Message = "Model {Model} version {Version} drained ({Requests} request(s) finished on it after the switch) and unloaded")]
    public static partial void VersionUnloaded(ILogger logger, string model, int version, long requests);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Warning, Message = "Model {Model}: {Problem}; what serves stays in place")]
    public static partial void NotApplied(ILogger logger, string model, string problem);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "Model {Model} unloaded: it takes no more requests; its versions drain")]
    public static partial void ModelUnloaded(ILogger logger, string model);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "Repository {Repository}: {Reason}; ignored")]
    public static partial void RepositoryEntryIgnored(ILogger logger, string repository, string reason);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Warning, Message = "Repository {Repository} cannot be read: {Reason}; the models serving stay in place")]
    public static partial void RepositoryUnreadable(ILogger logger, string repository, string reason);
}
