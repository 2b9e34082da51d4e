using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Models;
using MobileViT.Inference.Models.Repository;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Models;

/// <summary>
/// The real service serving a model repository: synthetic XXS versions, one instance each, two API keys (an
/// <see cref="AdminKey"/> with the admin scope and an inference-only <see cref="ReaderKey"/>), the control API on
/// unless asked otherwise, and with <c>poll</c> a fake clock that decides when the repository is read again.
/// </summary>
public sealed class LiveModelService : IAsyncDisposable
{
    public const string AdminKey = "key-admin-5c1e9b7d20";
    public const string ReaderKey = "key-reader-8a2f64c1d3";
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);

    private LiveModelService(RunningService service, FakeTimeProvider? clock, CapturedLogs logs)
    {
        Service = service;
        Clock = clock;
        Logs = logs;
        Channel = service.CreateGrpcChannel();
    }

    public RunningService Service { get; }
    public FakeTimeProvider? Clock { get; }
    public CapturedLogs Logs { get; }
    public global::Grpc.Net.Client.GrpcChannel Channel { get; }
    public HttpClient Http => Service.Client;
    public ModelRegistry Registry => Service.Registry;
    public ModelRepository Repository => Service.App.Services.GetRequiredService<ModelRepository>();

    public static Dictionary<string, string> Settings(string repository, string control, bool controlApi) => new()
    {
        ["MobileViT:Repository:Path"] = repository,
        ["MobileViT:Repository:Control"] = control,
        ["MobileViT:Repository:ControlApi"] = controlApi ? "true" : "false",
        ["MobileViT:Repository:PollIntervalSeconds"] = PollInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ["MobileViT:Auth:ApiKeys:0"] = $"ops:{AdminKey} scopes=infer,admin",
        ["MobileViT:Auth:ApiKeys:1"] = $"reader:{ReaderKey}",
        ["MobileViT:Batching:MaxBatchSize"] = "2",
        ["MobileViT:Execution:Providers"] = "CPU",
        ["MobileViT:Execution:Instances"] = "1",
        ["MobileViT:Execution:IntraOpThreads"] = "1",
        // The tests count requests, versions' answers and shadow comparisons: no start-up requests through the request path.
        ["MobileViT:WarmUp:RequestPath"] = "false",
    };

    /// <summary>Starts the service on <paramref name="repository"/> and waits until start-up loading is over.</summary>
    public static async Task<LiveModelService> StartAsync(string repository, string control = RepositoryOptions.Explicit, bool controlApi = true,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = Settings(repository, control, controlApi);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            settings[key] = value;
        var clock = control == RepositoryOptions.Poll ? new FakeTimeProvider(DateTimeOffset.UtcNow) : null;
        var logs = new CapturedLogs();
        var service = await RunningService.StartAsync(settings, configure: builder =>
        {
            if (clock is not null)
                builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Logging.AddProvider(logs);
        });
        return new LiveModelService(service, clock, logs);
    }

    public static Metadata Bearer(string key) => new() { { "authorization", $"Bearer {key}" } };

    public Task<HttpResponseMessage> PostAsync(string path, object? body, string? key = AdminKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/'))
        {
            Content = body is null ? new ByteArrayContent([]) : body as HttpContent ?? JsonContent.Create(body),
        };
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return Http.SendAsync(request);
    }

    public async Task<JsonNode> GetJsonAsync(string path, string key = ReaderKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>Runs <paramref name="pixels"/> through KServe V2 REST (the version pinned when given): the version that answered and its logits.</summary>
    public async Task<(string Version, float[] Logits)> InferAsync(string model, float[] pixels, string? version = null)
    {
        var path = version is null ? $"v2/models/{model}/infer" : $"v2/models/{model}/versions/{version}/infer";
        using var response = await PostAsync(path, new { inputs = new[] { new { name = "pixel_values", shape = new[] { 1, 3, 256, 256 }, datatype = "FP32", data = pixels } } },
            ReaderKey);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        var json = JsonNode.Parse(body)!;
        return ((string)json["model_version"]!, json["outputs"]![0]!["data"]!.AsArray().Select(n => (float)n!).ToArray());
    }

    /// <summary>Lets the poll interval pass on the fake clock and waits for the poll it starts: what it changed.</summary>
    public async Task<IReadOnlyList<VersionSwitch>> PollAsync()
    {
        var polled = new TaskCompletionSource<IReadOnlyList<VersionSwitch>>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnPolled(IReadOnlyList<VersionSwitch> switches) => polled.TrySetResult(switches);
        Repository.Polled += OnPolled;
        try
        {
            Clock!.Advance(PollInterval);
            return await polled.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
        finally
        {
            Repository.Polled -= OnPolled;
        }
    }

    /// <summary>The entry of the version serving now, to wait on it once it is swapped out.</summary>
    public ModelEntry ServingEntry(string model, int version) => Registry.FindModel(model)!.Serving[version].Entry;

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Service.DisposeAsync();
    }
}

/// <summary>Float comparisons of logits computed by different runs of the same graph (batching may change the last bits).</summary>
public static class Logits
{
    public static void AssertClose(float[] expected, float[] actual, double tolerance = 1e-3)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= tolerance, $"logits differ by up to {worst}");
    }

    public static bool Close(float[] expected, float[] actual, double tolerance = 1e-3) =>
        expected.Length == actual.Length && expected.Zip(actual).All(p => Math.Abs(p.First - p.Second) <= tolerance);
}
