namespace MobileViT.Inference.Models.Versions;

/// <summary>
/// Which of a model's versions are served, as Triton's <c>ModelVersionPolicy</c>: the newest <c>N</c>
/// (<see cref="Latest"/>, the default with N = 1), every version (<see cref="All"/>), or named ones (<see cref="Specific"/>).
/// </summary>
public abstract record VersionPolicy
{
    private VersionPolicy()
    {
    }

    /// <summary>The default: the newest version only.</summary>
    public static VersionPolicy Default { get; } = new Latest(1);

    /// <summary>The versions to serve among <paramref name="available"/>, lowest first.</summary>
    public abstract IReadOnlyList<int> Select(IEnumerable<int> available);

    /// <summary>The newest <paramref name="Count"/> versions.</summary>
    public sealed record Latest(int Count) : VersionPolicy
    {
        public override IReadOnlyList<int> Select(IEnumerable<int> available) =>
            available.Distinct().OrderDescending().Take(Count).Order().ToList();

        public override string ToString() => $"latest {Count}";
    }

    /// <summary>Every version in the repository.</summary>
    public sealed record All : VersionPolicy
    {
        public override IReadOnlyList<int> Select(IEnumerable<int> available) => available.Distinct().Order().ToList();

        public override string ToString() => "all";
    }

    /// <summary>The versions named, those of them that exist.</summary>
    public sealed record Specific(IReadOnlySet<int> Versions) : VersionPolicy
    {
        public override IReadOnlyList<int> Select(IEnumerable<int> available) => available.Distinct().Where(Versions.Contains).Order().ToList();

        public override string ToString() => $"specific [{string.Join(", ", Versions.Order())}]";

        public bool Equals(Specific? other) => other is not null && Versions.SetEquals(other.Versions);

        public override int GetHashCode() => Versions.Order().Aggregate(17, (hash, v) => hash * 31 + v);
    }
}
