using Microsoft.Extensions.Options;
using MobileViT.Inference.Configuration;

namespace MobileViT.Inference.Models.Repository;

/// <summary>Start-up validation of <c>MobileViT:Repository</c>; every failure names the setting.</summary>
public sealed class RepositoryOptionsValidator : IValidateOptions<MobileViTOptions>
{
    private const string Prefix = "MobileViT__Repository__";

    public ValidateOptionsResult Validate(string? name, MobileViTOptions options)
    {
        var repository = options.Repository;
        var errors = new List<string>();
        if (repository.Directory is { } path && !System.IO.Directory.Exists(path))
            errors.Add($"{Prefix}Path '{path}' is not a directory (expected <model>/<version>/ directories inside).");
        if (!string.Equals(repository.Control, RepositoryOptions.Poll, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(repository.Control, RepositoryOptions.Explicit, StringComparison.OrdinalIgnoreCase))
            errors.Add($"{Prefix}Control must be poll or explicit (was '{repository.Control}').");
        if (double.IsNaN(repository.PollIntervalSeconds) || repository.PollIntervalSeconds is <= 0 or > 3600)
            errors.Add($"{Prefix}PollIntervalSeconds must be more than 0 and at most 3600 (was {repository.PollIntervalSeconds}).");
        if (!new[] { RepositoryOptions.IdlePriority, RepositoryOptions.LowPriority, RepositoryOptions.NormalPriority }
                .Contains(repository.LoadPriority, StringComparer.OrdinalIgnoreCase))
            errors.Add($"{Prefix}LoadPriority must be idle, low or normal (was '{repository.LoadPriority}').");
        if (double.IsNaN(repository.ShadowSample) || repository.ShadowSample is < 0 or > 1)
            errors.Add($"{Prefix}ShadowSample must be a fraction from 0 to 1 (was {repository.ShadowSample}).");
        if (repository.ControlApi && repository.Directory is null)
            errors.Add($"{Prefix}ControlApi needs a repository to load models from: set {Prefix}Path.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
