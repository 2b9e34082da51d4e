namespace MobileViT.Inference.Models.Repository;

/// <summary>
/// One row of Triton's repository index: a model version and its state, <c>READY</c>, <c>LOADING</c>,
/// <c>UNLOADING</c> or <c>UNAVAILABLE</c>, with the reason when it is not ready.
/// </summary>
public sealed record RepositoryIndexEntry(string Name, string Version, string State, string Reason)
{
    public const string Ready = "READY";
    public const string Loading = "LOADING";
    public const string Unloading = "UNLOADING";
    public const string Unavailable = "UNAVAILABLE";

    /// <summary>Triton's name for a version's state.</summary>
    public static string StateOf(ModelState state) => state switch
    {
        ModelState.Ready => Ready,
        ModelState.Loading or ModelState.Tuning or ModelState.Warming => Loading,
        ModelState.Draining => Unloading,
        ModelState.Unloaded or ModelState.Failed => Unavailable,
    };
}
