namespace MobileViT.Container.Tests.Infrastructure;

/// <summary>Reads the Prometheus text exposition format.</summary>
public static class PrometheusText
{
    /// <summary>Whether a sample line of the series (with or without labels) is present.</summary>
    public static bool HasSeries(string exposition, string name) =>
        exposition.Split('\n').Any(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal));
}
