namespace MobileViT.Inference.Models.Versions;

/// <summary>
/// How a model's versions are served: which are loaded (<see cref="Policy"/>), which one answers requests that name no
/// version (<see cref="DefaultVersion"/>; null: the newest ready one), and which one, if any, shadows the default on a
/// sample of its live requests (<see cref="ShadowVersion"/>, loaded beside the policy's versions, and
/// <see cref="ShadowSample"/>, the fraction of requests it also runs; null: <c>MobileViT:Repository:ShadowSample</c>).
/// </summary>
public sealed record ServingConfig(VersionPolicy Policy, int? DefaultVersion = null, int? ShadowVersion = null, double? ShadowSample = null)
{
    public static ServingConfig Default { get; } = new(VersionPolicy.Default);

    /// <summary>The versions to load among <paramref name="available"/>: the policy's and the shadow, lowest first.</summary>
    public IReadOnlyList<int> Select(IEnumerable<int> available)
    {
        var versions = available.ToList();
        var selected = Policy.Select(versions).ToList();
        if (ShadowVersion is { } shadow && versions.Contains(shadow) && !selected.Contains(shadow))
            selected.Add(shadow);
        return selected.Order().ToList();
    }

    public override string ToString()
    {
        var text = Policy.ToString();
        if (DefaultVersion is { } v)
            text += $", default version {v}";
        if (ShadowVersion is { } s)
            text += $", shadow version {s}";
        return text;
    }
}
