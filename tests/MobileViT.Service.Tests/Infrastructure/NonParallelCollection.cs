namespace MobileViT.Service.Tests.Infrastructure;

/// <summary>
/// Tests that measure timing or need a responsive process (a Prometheus server scraping every second, a drain
/// budget) run on their own, not while other test classes saturate the CPU with inference.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NonParallelCollection
{
    public const string Name = "Timing-sensitive, run alone";
}
