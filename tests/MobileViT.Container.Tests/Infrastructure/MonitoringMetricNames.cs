using System.Text.RegularExpressions;

namespace MobileViT.Container.Tests.Infrastructure;

/// <summary>
/// The service's metric names as the deployment files use them: the HPA's Pods metric, the prometheus-adapter rule,
/// the KEDA query, and the Grafana dashboard's queries. Each must be a series the running service exposes.
/// </summary>
public static partial class MonitoringMetricNames
{
    private static string Repository(params string[] path) => File.ReadAllText(Path.Combine([SharedFixtures.RepositoryRoot, .. path]));

    public static IReadOnlyList<string> In(string text) => MetricName().Matches(text).Select(m => m.Value).Distinct().Order().ToList();

    public static IReadOnlyList<string> PrometheusAdapterRules => In(Repository("deploy", "monitoring", "prometheus-adapter-values.yaml"));

    public static IReadOnlyList<string> GrafanaDashboard => In(Repository("deploy", "monitoring", "grafana", "dashboards", "mobilevit.json"));

    public static async Task<IReadOnlyList<string>> AutoscalingAsync()
    {
        var hpa = (await RenderedManifests.RenderAsync("cpu")).Autoscaler ?? throw new InvalidOperationException("deploy/overlays/cpu has no HorizontalPodAutoscaler");
        var keda = await RenderedManifests.RenderAsync("cpu-keda");
        return hpa.Spec.Metrics.Where(m => m.Pods is not null).Select(m => m.Pods.Metric.Name)
            .Concat(keda.CustomResources.SelectMany(In))
            .Concat(PrometheusAdapterRules)
            .Distinct().Order().ToList();
    }

    [GeneratedRegex(@"\bmobilevit_[a-z0-9_]+")]
    private static partial Regex MetricName();
}
