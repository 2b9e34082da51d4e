namespace MobileViT.Inference.Models.Repository;

/// <summary>
/// One version of a model as the repository holds it now: its directory, a fingerprint of its files (size and time of
/// each; a rewrite or a symlink swap changes it) and, when it is not complete, why (<see cref="Problem"/>): such a
/// version is reported and never loaded.
/// </summary>
public sealed record VersionDirectory(int Version, string Path, string Fingerprint, string? Problem)
{
    public bool Complete => Problem is null;
}
