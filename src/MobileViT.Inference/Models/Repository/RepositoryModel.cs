using MobileViT.Inference.Models.Versions;

namespace MobileViT.Inference.Models.Repository;

/// <summary>
/// One model directory of the repository as read at one moment: its versions, complete or not, and its serving
/// configuration from <c>model_config.json</c> (null when it has none or it is unusable, <see cref="ConfigProblem"/>
/// saying why); <see cref="ConfigFingerprint"/> changes when that file does.
/// </summary>
public sealed record RepositoryModel(string Name, string Path, IReadOnlyDictionary<int, VersionDirectory> Versions, ServingConfig? Config,
    string? ConfigProblem, string ConfigFingerprint)
{
    /// <summary>The versions that can be loaded.</summary>
    public IEnumerable<int> CompleteVersions => Versions.Values.Where(v => v.Complete).Select(v => v.Version);
}
