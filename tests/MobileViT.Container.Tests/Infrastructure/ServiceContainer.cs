using System.Net;
using System.Net.Sockets;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace MobileViT.Container.Tests.Infrastructure;

/// <summary>
/// The service image running as a container the way production runs it: its own non-root user, a read-only root
/// filesystem with tmpfs for /tmp and the model cache, and <c>synthetic:xxs</c> (no network needed). It uses the
/// host's network (the only container networking that works on every machine these tests run on), so each container
/// gets free loopback ports for HTTP and gRPC.
/// </summary>
public sealed class ServiceContainer : IAsyncDisposable
{
    public const string ModelName = "mobilevit-xxs";

    private ServiceContainer(IContainer container, string cacheVolume, int httpPort, int grpcPort)
    {
        _cacheVolume = cacheVolume;
        Container = container;
        HttpPort = httpPort;
        GrpcPort = grpcPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    private readonly string _cacheVolume;

    public IContainer Container { get; }
    public int HttpPort { get; }
    public int GrpcPort { get; }
    public HttpClient Http { get; }
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    public static async Task<ServiceContainer> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        await ServiceImage.EnsureBuiltAsync();
        var (httpPort, grpcPort) = (FreePort(), FreePort());
        // A named volume starts as a copy of the image's directory, owned by the image's user: the hf: cache as deployed.
        var cacheVolume = "mobilevit-test-cache-" + Guid.NewGuid().ToString("N")[..12];
        var environment = new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{httpPort}",
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel__Endpoints__Grpc__Protocols"] = "Http2",
            ["MOBILEVIT_HEALTH_PORT"] = httpPort.ToString(),
            ["MobileViT__Models__0__Name"] = ModelName,
            ["MobileViT__Models__0__Source"] = "synthetic:xxs",
            ["MobileViT__Execution__Instances"] = "2",
            ["MobileViT__Execution__IntraOpThreads"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;

        var container = new ContainerBuilder(ServiceImage.Tag)
            .WithEnvironment(environment)
            .WithTmpfsMount("/tmp")
            .WithVolumeMount(cacheVolume, "/var/cache/mobilevit")
            .WithCreateParameterModifier(parameters =>
            {
                parameters.HostConfig ??= new();
                parameters.HostConfig.NetworkMode = "host";
                parameters.HostConfig.ReadonlyRootfs = true;
            })
            .WithCleanUp(true)
            .Build();
        await container.StartAsync();
        var service = new ServiceContainer(container, cacheVolume, httpPort, grpcPort);
        try
        {
            await service.WaitUntilReadyAsync(TimeSpan.FromMinutes(3));
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
        return service;
    }

    /// <summary>Polls /health/ready; fails early, with the container's log, if the container exits.</summary>
    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Container.State is not TestcontainersStates.Running)
                throw new InvalidOperationException($"The service container stopped before it was ready ({Container.State}):\n{await LogsAsync()}");
            try
            {
                using var response = await Http.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The service container was not ready within {timeout}:\n{await LogsAsync()}");
    }

    public async Task<string> LogsAsync()
    {
        var (stdout, stderr) = await Container.GetLogsAsync();
        return ServiceImage.Tail(stdout + stderr, 8000);
    }

    public Task<(int ExitCode, string Output)> DockerAsync(params string[] arguments) =>
        DockerCli.DockerAsync(TimeSpan.FromMinutes(2), arguments);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        // Removed here rather than by Testcontainers' reaper (Ryuk), which is off where its image cannot be pulled.
        await DockerAsync("rm", "--force", "--volumes", Container.Id);
        await DockerAsync("volume", "rm", "--force", _cacheVolume);
        await Container.DisposeAsync();
    }
}
