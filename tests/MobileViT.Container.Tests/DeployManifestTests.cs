using System.Text.Json;
using k8s.Models;
using MobileViT.Container.Tests.Infrastructure;

namespace MobileViT.Container.Tests;

/// <summary>The Kubernetes manifests as rendered by kubectl kustomize: strictly typed, and consistent with each other.</summary>
public sealed class DeployManifestTests
{
    public static TheoryData<string> Overlays => new(RenderedManifests.Overlays);

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_built_in_object_loads_strictly_into_the_typed_kubernetes_models(string overlay)
    {
        var rendered = await RenderedManifests.RenderAsync(overlay);
        Assert.Contains(rendered.Objects, o => o is V1Deployment);
        Assert.Contains(rendered.Objects, o => o is V1PodDisruptionBudget);
        Assert.Equal(2, rendered.Objects.OfType<V1Service>().Count());
        Assert.Contains(rendered.CustomResources, d => d.Contains("kind: ServiceMonitor"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Pods_run_non_root_read_only_with_limits_probes_and_a_grace_period_covering_the_drain(string overlay)
    {
        var rendered = await RenderedManifests.RenderAsync(overlay);
        var pod = rendered.Deployment.Spec.Template.Spec;
        var container = rendered.ServiceContainer;
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.NotNull(container.Resources.Requests["cpu"]);
        Assert.NotNull(container.Resources.Limits["memory"]);
        Assert.NotNull(container.StartupProbe?.HttpGet);
        Assert.NotNull(container.LivenessProbe?.HttpGet);
        Assert.NotNull(container.ReadinessProbe?.Grpc);
        Assert.Contains(container.VolumeMounts, m => m.MountPath == rendered.Settings["MobileViT__HuggingFace__CacheDirectory"]);
        Assert.Contains(container.VolumeMounts, m => m.MountPath == "/tmp");

        var preStop = container.Lifecycle.PreStop.Sleep.Seconds;
        var drain = long.Parse(rendered.Settings["MobileViT__Shutdown__DrainTimeoutSeconds"]);
        Assert.True(pod.TerminationGracePeriodSeconds >= preStop + drain + 5,
            $"terminationGracePeriodSeconds {pod.TerminationGracePeriodSeconds} must cover the preStop pause ({preStop} s), the drain ({drain} s) and a margin");
        Assert.Equal(rendered.ContainerPort("grpc"), container.ReadinessProbe.Grpc.Port);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Container_ports_match_the_kestrel_endpoints_the_settings_configure(string overlay)
    {
        var rendered = await RenderedManifests.RenderAsync(overlay);
        Assert.Equal(rendered.ContainerPort("http"), new Uri(rendered.Settings["Kestrel__Endpoints__Http__Url"]).Port);
        Assert.Equal(rendered.ContainerPort("grpc"), new Uri(rendered.Settings["Kestrel__Endpoints__Grpc__Url"]).Port);
        using var appSettings = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedFixtures.RepositoryRoot, "src", "MobileViT.Service", "appsettings.json")));
        var defaultHttp = new Uri(appSettings.RootElement.GetProperty("Kestrel").GetProperty("Endpoints").GetProperty("Http").GetProperty("Url").GetString()!);
        Assert.Equal(rendered.ContainerPort("http"), defaultHttp.Port);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Api_keys_come_from_the_secret_mounted_as_a_directory_and_the_network_policy_admits_only_the_service_ports(string overlay)
    {
        var rendered = await RenderedManifests.RenderAsync(overlay);
        var pod = rendered.Deployment.Spec.Template.Spec;
        var keysFile = Assert.Single(rendered.ServiceContainer.Env, e => e.Name == "MobileViT__Auth__ApiKeysFile").Value;
        // A directory mount, not subPath: only then does the kubelet's update of the Secret reach the pod.
        var mount = Assert.Single(rendered.ServiceContainer.VolumeMounts, m => m.MountPath == Path.GetDirectoryName(keysFile));
        Assert.Null(mount.SubPath);
        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal("mobilevit-api-keys", Assert.Single(pod.Volumes, v => v.Name == mount.Name).Secret.SecretName);
        // /metrics needs a key once keys are on: Prometheus scrapes with a bearer token from the same Secret.
        var monitor = Assert.Single(rendered.CustomResources, d => d.Contains("kind: ServiceMonitor"));
        Assert.Contains("type: Bearer", monitor);
        Assert.Contains("name: mobilevit-api-keys", monitor);
        Assert.Contains("key: scrape-token", monitor);

        var policy = Assert.Single(rendered.Objects.OfType<V1NetworkPolicy>());
        Assert.All(policy.Spec.PodSelector.MatchLabels, l => Assert.Equal(l.Value, rendered.Deployment.Spec.Template.Metadata.Labels[l.Key]));
        var ports = policy.Spec.Ingress.SelectMany(i => i.Ports).Select(p => int.Parse(p.Port.Value)).Distinct().Order();
        Assert.Equal(new[] { rendered.ContainerPort("http"), rendered.ContainerPort("grpc") }.Order(), ports);
        Assert.All(policy.Spec.Ingress, rule => Assert.All(rule.FromProperty, peer => Assert.NotNull(peer.NamespaceSelector)));
    }

    [Fact]
    public async Task Hpa_queue_metric_is_the_one_prometheus_adapter_serves()
    {
        var hpa = (await RenderedManifests.RenderAsync("cpu")).Autoscaler!;
        Assert.Contains(hpa.Spec.Metrics, m => m.Resource?.Name == "cpu");
        var podsMetric = Assert.Single(hpa.Spec.Metrics, m => m.Pods is not null).Pods.Metric.Name;
        var adapter = File.ReadAllText(Path.Combine(SharedFixtures.RepositoryRoot, "deploy", "monitoring", "prometheus-adapter-values.yaml"));
        Assert.Contains($"as: \"{podsMetric}\"", adapter);
    }

    [Fact]
    public async Task Keda_overlay_replaces_the_hpa_with_a_scaled_object_on_the_same_deployment()
    {
        var keda = await RenderedManifests.RenderAsync("cpu-keda");
        Assert.Null(keda.Autoscaler);
        var scaledObject = Assert.Single(keda.CustomResources, d => d.Contains("kind: ScaledObject"));
        Assert.Contains($"name: {keda.Deployment.Metadata.Name}", scaledObject);
    }
}
