using System.Net;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MobileViT.Container.Tests.Infrastructure;

namespace MobileViT.Container.Tests;

/// <summary>
/// What the rendered Kubernetes manifests expect of the service, checked against the image running with the manifests'
/// own settings (their ConfigMap, with a synthetic model and loopback ports instead of the hub and 8080/8081).
/// </summary>
public sealed class ManifestAgreementContainerTests : IAsyncLifetime
{
    private RenderedManifests _manifests = null!;
    private ServiceContainer _service = null!;

    public async Task InitializeAsync()
    {
        _manifests = await RenderedManifests.RenderAsync("cpu");
        var settings = _manifests.Settings
            .Where(s => !s.Key.StartsWith("MobileViT__Models__", StringComparison.Ordinal) && !s.Key.StartsWith("Kestrel__", StringComparison.Ordinal))
            .ToDictionary();
        _service = await ServiceContainer.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Http_probe_paths_answer_200_on_the_service_started_with_the_manifest_settings()
    {
        var container = _manifests.ServiceContainer;
        foreach (var probe in new[] { container.StartupProbe, container.LivenessProbe, container.ReadinessProbe }.Where(p => p?.HttpGet is not null))
        {
            Assert.Equal("http", probe!.HttpGet.Port.Value);
            using var response = await _service.Http.GetAsync(probe.HttpGet.Path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{probe.HttpGet.Path} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Grpc_readiness_probe_gets_serving_from_the_grpc_port()
    {
        var probe = _manifests.ServiceContainer.ReadinessProbe.Grpc;
        using var channel = GrpcChannel.ForAddress(_service.GrpcAddress);
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = probe.Service ?? "" }, deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Autoscaling_and_dashboard_metric_names_are_series_the_service_exposes()
    {
        using (var classify = await _service.Http.PostAsync("/v1/classify?topK=1", TestJpeg.Content()))
            Assert.Equal(HttpStatusCode.OK, classify.StatusCode);
        var names = (await MonitoringMetricNames.AutoscalingAsync()).Concat(MonitoringMetricNames.GrafanaDashboard).Distinct().ToList();
        Assert.Contains("mobilevit_queue_depth", names);
        using var response = await _service.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var missing = names.Where(n => !PrometheusText.HasSeries(text, n)).ToList();
        Assert.True(missing.Count == 0, $"not exposed by /metrics: {string.Join(", ", missing)}\n{ServiceImage.Tail(text, 3000)}");
    }
}
